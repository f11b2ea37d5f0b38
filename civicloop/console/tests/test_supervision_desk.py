"""The supervision desk: each role's page, scope (404), actions, inline progress, query counts."""
# ruff: noqa: F811  (the supervision fixtures are imported as fixtures)

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicloop.supervision import actions as sv
from civicloop.supervision.models import CampaignRow, Item, State
from civicloop.supervision.tests.conftest import T0, make_campaign, new_item, sup  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(sup, client_for):
    return client_for


def test_desk_sends_each_role_to_its_page(as_user):
    assert (
        as_user("supervisor").get("/console/supervision/desk/").url == "/console/supervision/items/"
    )
    assert (
        as_user("handler_west").get("/console/supervision/desk/").url
        == "/console/supervision/mine/"
    )


def test_pages_render_and_scope(sup, as_user):
    item = new_item(sup)
    sv.assign(sup["actors"]["supervisor"], item, at=T0)
    campaign = make_campaign(sup)
    office = as_user("supervisor")
    for path in ("/console/supervision/items/", "/console/supervision/items/?colour=red",
                 f"/console/supervision/items/{item.pk}/", "/console/supervision/late/",
                 "/console/supervision/campaigns/", f"/console/supervision/campaigns/{campaign.pk}/",
                 "/console/supervision/inspections/", "/console/supervision/rankings/?period=2025-03"):  # fmt: skip
        response = office.get(path)
        assert response.status_code == 200, path
    west = as_user("handler_west")
    page = west.get("/console/supervision/mine/").content.decode()
    assert item.number in page and "测试小区3号院" in page and "测试小区2号院" not in page
    assert as_user("handler_clean").get(f"/console/supervision/items/{item.pk}/").status_code == 404
    assert as_user("handler_west").get("/console/supervision/late/").status_code == 404


def test_actions_and_errors_from_the_item_page(sup, as_user):
    item = new_item(sup)
    sv.assign(sup["actors"]["supervisor"], item, at=T0)
    west = as_user("handler_west")
    assert b'id="do-sign"' in west.get(f"/console/supervision/items/{item.pk}/").content
    response = west.post(
        f"/console/supervision/items/{item.pk}/act/sign/", {"version": item.version + 1}
    )
    assert response.status_code == 302
    response = west.post(f"/console/supervision/items/{item.pk}/act/report_progress/",
                         {"note": "x", "percent": "150"})  # fmt: skip
    assert response.status_code == 400 and b"from 0 to 100" in response.content
    response = west.post(f"/console/supervision/items/{item.pk}/act/pass_review/", {})
    assert response.status_code == 403
    assert Item.objects.get(pk=item.pk).state == State.SIGNED


def test_bulk_chase_and_assign(sup, as_user):
    items = [new_item(sup) for _ in range(3)]
    office = as_user("supervisor")
    office.post(
        "/console/supervision/items/bulk/", {"bulk": "assign", "items": [i.pk for i in items]}
    )
    assert set(Item.objects.values_list("state", flat=True)) == {State.ASSIGNED}
    office.post(
        "/console/supervision/items/bulk/", {"bulk": "chase", "items": [i.pk for i in items]}
    )
    assert list(Item.objects.values_list("chase_count", flat=True)) == [1, 1, 1]


def test_inline_progress_on_a_row(sup, as_user):
    campaign = make_campaign(sup)
    row = campaign.rows.get(key="C003")
    response = as_user("handler_west").post(
        f"/console/supervision/campaigns/{campaign.pk}/rows/{row.pk}/",
        {"f-installed": "on", "f-enrolled": "33", "version": row.version},
    )  # fmt: skip
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.done and row.values["enrolled"] == 33
    east_row = campaign.rows.get(key="C002")
    response = as_user("handler_west").post(
        f"/console/supervision/campaigns/{campaign.pk}/rows/{east_row.pk}/", {"f-enrolled": "1"}
    )
    assert response.status_code == 404


def _count(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200, path
    return len(queries.captured_queries)


def test_constant_query_counts_on_every_list(sup, as_user):
    campaign = make_campaign(sup, rows=3)
    for _ in range(2):
        sv.assign(sup["actors"]["supervisor"], new_item(sup), at=T0)
    office, west = as_user("supervisor"), as_user("handler_west")
    paths = [(office, "/console/supervision/items/"), (office, "/console/supervision/late/"),
             (office, "/console/supervision/campaigns/"),
             (office, f"/console/supervision/campaigns/{campaign.pk}/"),
             (west, "/console/supervision/mine/"), (office, "/console/supervision/inspections/")]  # fmt: skip
    for client, path in paths:
        _count(client, path)
    few = [_count(c, p) for c, p in paths]
    for _ in range(10):
        sv.assign(sup["actors"]["supervisor"], new_item(sup), at=T0)
    for n in range(10):
        CampaignRow.objects.create(campaign=campaign, key=f"X{n}", name=f"x{n}", unit=sup["west"],
                                   street=sup["west_street"], deadline="2019-07-30", updated_at=T0)  # fmt: skip
    many = [_count(c, p) for c, p in paths]
    assert many == few
