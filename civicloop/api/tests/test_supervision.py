# ruff: noqa: F811  (the supervision fixtures are imported as fixtures)
"""The supervision endpoints: lists in the cases' page shape, detail, actions, campaigns, rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicloop.supervision import actions as sv
from civicloop.supervision.models import CampaignRow
from civicloop.supervision.tests.conftest import T0, make_campaign, new_item, sup  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_of(api, sup):
    return api


def count(client, path, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params)
    assert response.status_code == 200, response.content
    return len(queries.captured_queries)


def test_list_has_the_page_shape_and_the_four_fixes(sup, client_of):
    item = new_item(sup)
    sv.assign(sup["actors"]["supervisor"], item, at=T0)
    body = client_of("supervisor").get("/api/supervision/items").json()
    assert set(body) == {"count", "count_exact", "page", "page_size", "pages", "items"}
    [entry] = body["items"]
    assert entry["deadline"] == "2025-03-28" and entry["lead_unit"]["code"] == "SW"
    assert entry["person"]["name"] == "leader_west" and entry["post"] == "街道办事处主任"
    assert entry["responsibility"] and entry["colour"] == "green"


def test_scope_unit_sees_own_and_cooperating_others_get_404(sup, client_of):
    item = new_item(sup)
    assert client_of("handler_west").get("/api/supervision/items").json()["count"] == 1
    assert client_of("handler_east").get("/api/supervision/items").json()["count"] == 1
    assert client_of("handler_clean").get("/api/supervision/items").json()["count"] == 0
    response = client_of("handler_clean").get(f"/api/supervision/items/{item.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = client_of("handler_clean").post(f"/api/supervision/items/{item.pk}/actions/sign")
    assert response.status_code == 404


def test_actions_through_the_api(sup, client_of):
    item = new_item(sup)
    office, unit = client_of("supervisor"), client_of("handler_west")
    detail = office.get(f"/api/supervision/items/{item.pk}").json()
    assert detail["actions"] == ["assign"]
    assert office.post(f"/api/supervision/items/{item.pk}/actions/assign",
                       {"version": detail["version"]}).status_code == 200  # fmt: skip
    detail = unit.get(f"/api/supervision/items/{item.pk}").json()
    assert detail["actions"] == ["sign", "request_extension"]
    assert unit.post(f"/api/supervision/items/{item.pk}/actions/sign", {}).status_code == 200
    response = unit.post(f"/api/supervision/items/{item.pk}/actions/report_progress",
                         {"note": "过半", "percent": 120})  # fmt: skip
    assert response.status_code == 400 and response.json()["field"] == "percent"
    response = unit.post(f"/api/supervision/items/{item.pk}/actions/report_progress",
                         {"note": "过半", "percent": 60})  # fmt: skip
    assert response.status_code == 200 and response.json()["done_percent"] == 60
    response = unit.post(f"/api/supervision/items/{item.pk}/actions/pass_review", {})
    assert response.status_code == 403 and "supervisor" in response.json()["message"]
    response = office.post(f"/api/supervision/items/{item.pk}/actions/close", {})
    assert response.status_code == 409 and response.json()["code"] == "invalid_state"
    response = office.post(f"/api/supervision/items/{item.pk}/actions/chase", {"version": 1})
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    timeline = office.get(f"/api/supervision/items/{item.pk}").json()["timeline"]
    assert [e["action"] for e in timeline] == ["register", "assign", "sign", "report_progress"]


def test_register_and_bad_input(sup, client_of):
    office = client_of("supervisor")
    body = {"title": "x", "requirement": "y", "lead_unit": "SW", "person": str(sup["responsible"].pk),
            "post": "主任", "responsibility": "z", "start": "2025-03-10", "deadline": "2025-03-01"}  # fmt: skip
    response = office.post("/api/supervision/items", body)
    assert response.status_code == 400 and response.json()["field"] == "deadline"
    response = office.post("/api/supervision/items", {**body, "deadline": None, "deadline_days": 5})
    assert response.status_code == 201 and response.json()["deadline"] == "2025-03-17"
    response = office.post("/api/supervision/items", "not json")
    assert response.status_code == 400
    response = client_of("handler_west").post(
        "/api/supervision/items", {**body, "deadline": "2025-04-01"}
    )
    assert response.status_code == 403


def test_campaign_rows_and_progress(sup, client_of):
    campaign = make_campaign(sup)
    office, west = client_of("supervisor"), client_of("handler_west")
    listing = office.get("/api/supervision/campaigns").json()
    assert listing["count"] == 1 and listing["items"][0]["total"] == 4
    assert listing["items"][0]["completed"] == 1
    rows = west.get(f"/api/supervision/campaigns/{campaign.pk}/rows").json()
    assert rows["count"] == 2 and {r["unit"]["code"] for r in rows["items"]} == {"SW"}
    row = next(r for r in rows["items"] if not r["done"])
    response = west.post(f"/api/supervision/campaigns/{campaign.pk}/rows/{row['id']}",
                         {"values": {"installed": True, "enrolled": 40}, "version": row["version"]})  # fmt: skip
    assert response.status_code == 200 and response.json()["done"] is True
    response = west.post(f"/api/supervision/campaigns/{campaign.pk}/rows/{row['id']}",
                         {"values": {"rate": 101}})  # fmt: skip
    assert response.status_code == 400 and response.json()["field"] == "values.rate"
    east_row = CampaignRow.objects.filter(campaign=campaign, unit=sup["east"]).first()
    response = west.post(f"/api/supervision/campaigns/{campaign.pk}/rows/{east_row.pk}",
                         {"values": {"enrolled": 1}})  # fmt: skip
    assert response.status_code == 404
    detail = office.get(f"/api/supervision/campaigns/{campaign.pk}").json()
    assert {u["name"]: u["completed"] for u in detail["units"]} == {
        "东街道办事处": 0,
        "西街道办事处": 2,
    }
    assert (
        client_of("handler_clean").get(f"/api/supervision/campaigns/{campaign.pk}").status_code
        == 404
    )


def test_constant_query_counts(sup, client_of):
    office, west = client_of("supervisor"), client_of("handler_west")
    campaign = make_campaign(sup, rows=2)
    for _ in range(2):
        new_item(sup)
    office.get("/api/supervision/items")
    west.get("/api/supervision/items")
    paths = [("/api/supervision/items", {"page_size": 100}),
             ("/api/supervision/items", {"colour": "green,red", "unit": "SW"}),
             ("/api/supervision/campaigns", {}),
             (f"/api/supervision/campaigns/{campaign.pk}/rows", {"page_size": 100})]  # fmt: skip
    few = [count(c, p, q) for c in (office, west) for p, q in paths]
    for _ in range(12):
        new_item(sup)
    for n in range(15):
        CampaignRow.objects.create(campaign=campaign, key=f"X{n}", name=f"x{n}", unit=sup["west"],
                                   deadline="2019-07-30", updated_at=T0)  # fmt: skip
    many = [count(c, p, q) for c in (office, west) for p, q in paths]
    assert many == few


def test_an_inspection_from_a_phone(sup, client_of, photo):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    leader = client_of("district_leader")
    problems = [
        {"text": "桥下垃圾堆积", "lon": 113.602, "lat": 34.703, "unit": "SW", "deadline": "2099-01-10",
         "outcome": "case", "category": "E0102", "photo": 0},
        {"text": "街角游园缺座椅", "lon": 113.612, "lat": 34.703, "unit": "SE", "deadline": "2099-01-31",
         "outcome": "item"},
    ]  # fmt: skip
    files = {"photos": [SimpleUploadedFile("p.jpg", photo(), content_type="image/jpeg")]}
    response = leader.client.post(
        "/api/supervision/inspections",
        {"title": "测试路督查", "problems": json.dumps(problems), **files},
        HTTP_AUTHORIZATION=f"Bearer {leader.key}",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    first, second = body["problems"]
    assert first["case_state"] == "dispatched" and first["unit"]["code"] == "SW"
    assert second["item_state"] == "assigned"
    assert leader.get(f"/api/supervision/inspections/{body['id']}").json() == body
    assert (
        client_of("handler_west").get(f"/api/supervision/inspections/{body['id']}").status_code
        == 404
    )
    response = leader.client.post("/api/supervision/inspections", {"title": "x", "problems": "[1"},
                                  HTTP_AUTHORIZATION=f"Bearer {leader.key}")  # fmt: skip
    assert response.status_code == 400 and response.json()["field"] == "problems"


def test_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/supervision/items", "/api/supervision/items/{item_id}",
                 "/api/supervision/items/{item_id}/actions/sign", "/api/supervision/campaigns",
                 "/api/supervision/campaigns/{campaign_id}/rows",
                 "/api/supervision/campaigns/{campaign_id}/rows/{row_id}",
                 "/api/supervision/inspections"):  # fmt: skip
        assert path in paths, path
    item = paths["/api/supervision/items"]["get"]["responses"]["200"]
    assert item
