"""The case list: filters, text search, sorting and pagination."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from civicloop.cases import actions
from civicloop.cases.models import SmallClass

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(loop):
    a = loop["actors"]
    (wl, wt), (el, et) = loop["west_point"], loop["east_point"]
    now = timezone.now()
    west_garbage = actions.report_case(a["inspector"], source="inspector", category="E0102",
                                       lon=wl, lat=wt, description="西边垃圾", address="西路1号",
                                       at=now - datetime.timedelta(days=3))  # fmt: skip
    east_ads = actions.report_case(a["acceptor"], source="hotline", category="E0201", lon=el,
                                   lat=et, description="东边小广告", address="东路9号", at=now)  # fmt: skip
    actions.accept_case(a["acceptor"], west_garbage)
    actions.file_case(a["shift_leader"], west_garbage)
    actions.dispatch_case(a["dispatcher"], west_garbage)
    west_garbage.refresh_from_db()
    return {"west": west_garbage, "east": east_ads}


def _numbers(client, **params):
    response = client.get(reverse("console:cases"), params)
    assert response.status_code == 200
    return [c.number for c in response.context["page"].object_list]


def test_filters(client_for, cases, loop):
    c = client_for("dispatcher")
    west, east = cases["west"].number, cases["east"].number
    assert sorted(_numbers(c)) == sorted([west, east])
    assert _numbers(c, state="dispatched") == [west]
    assert _numbers(c, state="open") == [east, west]
    assert _numbers(c, state="closed") == []
    assert _numbers(c, street=loop["east"].pk) == [east]
    assert _numbers(c, community=loop["west_c"].pk) == [west]
    assert _numbers(c, unit=loop["cleaning"].pk) == [west]
    assert _numbers(c, source="hotline") == [east]
    e0201 = SmallClass.objects.get(full_code="E0201")
    assert _numbers(c, category=e0201.pk) == [east]
    assert (
        _numbers(c, light=cases["west"].light) == [west]
        or cases["east"].light == cases["west"].light
    )
    assert _numbers(c, q="小广告") == [east]
    assert _numbers(c, q="西路") == [west]
    assert _numbers(c, q=west[:10]) == [west]
    assert _numbers(c, q=west[:10].lower()) == [west]  # a number's start, in the numbers only
    assert _numbers(c, q=west) == [west]
    today = timezone.localdate()
    assert _numbers(c, date_from=today.isoformat()) == [east]
    assert _numbers(c, date_to=(today - datetime.timedelta(days=1)).isoformat()) == [west]
    assert _numbers(c, section=loop["sections"][0].pk) == []


def test_sorting_and_bad_input(client_for, cases):
    c = client_for("dispatcher")
    west, east = cases["west"].number, cases["east"].number
    assert _numbers(c, sort="old") == [west, east]
    assert _numbers(c, sort="new") == [east, west]
    # invalid values are ignored, not errors
    response = c.get(reverse("console:cases"), {"state": "nonsense", "street": "x"})
    assert response.status_code == 200
    response = c.get(reverse("console:cases"), {"date_from": "2025-02-02", "date_to": "2025-01-01"})
    assert "date_to" in response.context["form"].errors


def test_pagination(client_for, loop, monkeypatch):
    from civicloop.console import views

    from .conftest import make_cases

    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    made = make_cases(loop, 7)
    c = client_for("acceptor")
    first = c.get(reverse("console:cases"))
    assert first.context["count"] == 7
    assert first.context["paginator"].num_pages == 3
    third = c.get(reverse("console:cases"), {"page": 3})
    assert [x.pk for x in third.context["page"].object_list] == [made[0].pk]
    assert c.get(reverse("console:cases"), {"page": 99}).context["page"].number == 3


def test_count_is_capped(client_for, loop, monkeypatch):
    from civicloop.console import queries

    from .conftest import make_cases

    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    make_cases(loop, 5)
    response = client_for("acceptor").get(reverse("console:cases"))
    assert response.context["capped"] is True
    assert response.context["count"] == 3


@pytest.mark.parametrize("query", [
    "road=99999999999999999999", "section=-99999999999999999999",
    "patrol_area=99999999999999999999", "date_from=9999-12-31&date_to=9999-12-31",
    "date_from=0001-01-01", "closed_from=0001-01-01&closed_to=9999-12-31",
])  # fmt: skip
def test_out_of_range_filters_are_form_errors_not_500s(client_for, cases, query):
    c = client_for("dispatcher")
    listing = c.get(reverse("console:cases") + "?" + query)
    assert listing.status_code == 200
    assert listing.context["form"].errors
    assert c.get(reverse("console:map_cases") + "?" + query).status_code == 200
