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


def test_register_from_the_console_and_escalate_a_case(sup, as_user, photo):
    from civicloop.cases.actions import report_case

    office = as_user("supervisor")
    form = {"title": "陇海路立面整治", "requirement": "逐段整治", "source": "meeting",
            "lead_unit": sup["west"].pk, "person": "leader_west", "post": "主任",
            "responsibility": "牵头", "start": "2025-03-10", "deadline": "2025-03-01"}  # fmt: skip
    response = office.post("/console/supervision/items/new/", form)
    assert response.status_code == 400 and b'data-field="deadline"' in response.content
    assert not Item.objects.exists()
    response = office.post(
        "/console/supervision/items/new/", {**form, "deadline": "", "deadline_days": "5"}
    )
    item = Item.objects.get()
    assert response.url == f"/console/supervision/items/{item.pk}/"
    case = report_case(sup["actors"]["inspector"], source="inspector", category="E0102",
                       lon=113.602, lat=34.703, description="垃圾堆积", at=T0)  # fmt: skip
    page = office.get(f"/console/cases/{case.pk}/").content.decode()
    assert 'id="escalate-case"' in page
    page = office.get(f"/console/supervision/items/new/?case={case.pk}").content.decode()
    assert case.number in page
    office.post(
        "/console/supervision/items/new/", {**form, "deadline": "2025-03-20", "case": case.pk}
    )
    linked = Item.objects.get(case=case)
    assert linked.source == "case"
    assert linked.number in office.get(f"/console/cases/{case.pk}/").content.decode()
    assert case.number in office.get(f"/console/supervision/items/{linked.pk}/").content.decode()


def test_a_leader_records_an_inspection_in_the_console(sup, as_user):
    from civicloop.supervision.models import Inspection

    leader = as_user("district_leader")
    assert leader.get("/console/supervision/inspections/new/").status_code == 200
    form = {"title": "测试路督查", "on": "2025-03-10",
            "p1-text": "桥下垃圾", "p1-lon": "113.602", "p1-lat": "34.703", "p1-unit": "SW",
            "p1-deadline": "2025-03-12", "p1-outcome": "case", "p1-category": "E0102",
            "p2-text": "游园缺座椅", "p2-lon": "113.612", "p2-lat": "34.703", "p2-unit": "NOPE",
            "p2-deadline": "2025-03-31", "p2-outcome": "item"}  # fmt: skip
    response = leader.post("/console/supervision/inspections/new/", form)
    assert response.status_code == 400 and "Problem 2" in response.content.decode()
    assert not Inspection.objects.exists()
    response = leader.post("/console/supervision/inspections/new/", {**form, "p2-unit": "SE"})
    inspection = Inspection.objects.get()
    assert response.url == f"/console/supervision/inspections/{inspection.pk}/"
    page = leader.get(response.url).content.decode()
    assert page.count('class="problem-row"') == 2
    assert as_user("handler_west").get("/console/supervision/inspections/new/").status_code == 404
