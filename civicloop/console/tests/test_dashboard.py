"""Dashboard figures (SQL aggregates in scope) and the map's JSON."""

import pytest
from django.urls import reverse

from civicloop.cases import actions

from .conftest import make_cases

pytestmark = pytest.mark.django_db


def test_figures_count_by_state_and_light_in_scope(client_for, loop, dispatched):
    make_cases(loop, 2, point="east_point", category="E0201")
    f = client_for("dispatcher").get(reverse("console:dashboard")).context["f"]
    states = {s["state"]: s["n"] for s in f["states"]}
    assert states["reported"] == 2 and states["dispatched"] == 1
    assert f["open"] == 3 and f["today"] == 3 and f["reported_30"] == 3
    assert sum(item["n"] for item in f["lights"]) == 3
    assert sum(f["trend"]["reported"]) == 3
    assert {t["code"]: t["n"] for t in f["top"]} == {"E0201": 2, "E0102": 1}
    # the east street office sees only the east cases
    east = client_for("handler_east").get(reverse("console:dashboard")).context["f"]
    assert east["open"] == 2
    assert {t["code"] for t in east["top"]} == {"E0201"}


def test_overdue_and_closed(client_for, loop, dispatched, photo):
    import datetime

    from django.utils import timezone

    a = loop["actors"]
    actions.sign_case(a["handler_clean"], dispatched)
    late = timezone.now() + datetime.timedelta(days=30)
    actions.submit_result(a["handler_clean"], dispatched, photos=[photo()], at=late)
    f = client_for("dispatcher").get(reverse("console:dashboard")).context["f"]
    assert f["overdue"] == 1  # handled after the deadline
    listing = client_for("dispatcher").get(reverse("console:cases"), {"overdue": "on"})
    assert [c.pk for c in listing.context["page"].object_list] == [dispatched.pk]


def test_map_points_clusters_and_boundaries(client_for, loop, monkeypatch):
    from civicloop.console import queries

    make_cases(loop, 3)
    c = client_for("acceptor")
    points = c.get(reverse("console:map_cases")).json()
    assert points["clustered"] is False and len(points["features"]) == 3
    assert points["features"][0]["geometry"]["type"] == "Point"
    # outside the view: nothing
    assert c.get(reverse("console:map_cases"), {"bbox": "100,20,101,21"}).json()["features"] == []
    monkeypatch.setattr(queries, "MAP_MAX_POINTS", 2)
    clusters = c.get(reverse("console:map_cases"), {"zoom": "10"}).json()
    assert clusters["clustered"] is True
    assert sum(f["properties"]["n"] for f in clusters["features"]) == 3
    streets = c.get(reverse("console:map_streets")).json()["features"]
    assert {f["properties"]["name"]: f["properties"]["open"] for f in streets} == {
        "西街道": 3,
        "东街道": 0,
    }
    cells = c.get(reverse("console:map_cells"), {"bbox": "113.600,34.700,113.606,34.710"}).json()
    assert {f["properties"]["code"] for f in cells["features"]} == {
        "41010300100101",
        "41010300100102",
    }
    assert c.get(reverse("console:map_cells")).json()["features"] == []


def test_home_by_role(client_for, loop, dispatched):
    assert (
        client_for("leader_west")
        .get(reverse("console:home"))["Location"]
        .endswith("/console/dashboard/")
    )
    assert client_for("supervisor").get(reverse("console:home")).status_code == 302
    road = client_for("road_chief").get(reverse("console:home"))
    assert [q["key"] for q in road.context["queues"]] == ["road"]
    handler = client_for("handler_clean").get(reverse("console:home"))
    keys = [q["key"] for q in handler.context["queues"]]
    assert keys == ["sign", "handle", "red"]  # the stages of the rule table, 待签收 first
    rows = [c.pk for q in handler.context["queues"] for c in q["rows"]]
    assert rows == [dispatched.pk]


def test_report_menu_entry_only_for_users_with_an_intake(client_for, loop):
    for username in ("inspector", "acceptor", "road_chief"):
        html = client_for(username).get(reverse("console:dashboard")).content.decode()
        assert 'id="nav-report"' in html, username
    for username in ("handler_west", "handler_clean"):
        c = client_for(username)
        assert 'id="nav-report"' not in c.get(reverse("console:dashboard")).content.decode()
        assert c.get(reverse("console:report")).status_code == 404
