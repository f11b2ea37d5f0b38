"""One error format, statuses, and messages in the request's language."""

import json

from .conftest import ApiClient


def test_error_shape_for_each_status(api, case_in, anonymous):
    case = case_in("reported")
    answers = {
        400: api("acceptor").post(f"/api/cases/{case.pk}/actions/refuse", {}),
        401: anonymous.get("/api/cases"),
        403: api("inspector").post(f"/api/cases/{case.pk}/actions/accept", {}),
        404: api("handler_east").get(f"/api/cases/{case.pk}"),
        409: api("dispatcher").post(f"/api/cases/{case.pk}/actions/resume", {}),
    }
    codes = {400: "invalid", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
             409: "invalid_state"}  # fmt: skip
    for status, response in answers.items():
        assert response.status_code == status
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert set(body) == {"code", "message", "field"}
        assert body["code"] == codes[status] and body["message"]


def test_schema_validation_is_400_invalid_with_the_field(api, case_in):
    case = case_in("in_progress")
    response = api("handler_clean").post(f"/api/cases/{case.pk}/actions/request_extension",
                                         {"reason": "x", "hours": "lots"})  # fmt: skip
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "field": "hours",
                                "message": "This value is not valid: hours."}  # fmt: skip
    response = api("dispatcher").get("/api/cases/abc")
    assert response.status_code == 400 and response.json()["field"] == "case_id"


def test_bad_json_body(api, case_in):
    case = case_in("reported")
    client = api("acceptor")
    response = client.client.post(f"/api/cases/{case.pk}/actions/accept", "{not json",
                                  content_type="application/json",
                                  **client._headers({}))  # fmt: skip
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    response = client.client.post(f"/api/cases/{case.pk}/actions/accept", json.dumps([1]),
                                  content_type="application/json",
                                  **client._headers({}))  # fmt: skip
    assert response.status_code == 400


def test_messages_are_chinese_by_default(api, case_in, loop):
    case = case_in("reported")
    client = api("inspector")
    client.language = ""
    response = client.post(f"/api/cases/{case.pk}/actions/accept", {},
                           HTTP_ACCEPT_LANGUAGE="")  # fmt: skip
    assert response.status_code == 403
    message = response.json()["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    english = api("inspector").post(f"/api/cases/{case.pk}/actions/accept", {}).json()["message"]
    assert english.startswith("Only these roles")
    unauthenticated = ApiClient(None, language="zh-hans").get("/api/me").json()["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in unauthenticated)
    missing = api("dispatcher", language="zh-hans").get("/api/cases/999999").json()["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in missing)


def test_form_bodies_work_like_json(api, case_in):
    case = case_in("reported")
    client = api("acceptor")
    response = client.client.post(f"/api/cases/{case.pk}/actions/refuse",
                                  {"reason": "duplicate call"}, **client._headers({}))  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["case"]["state"] == "cancelled"
