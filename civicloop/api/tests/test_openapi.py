"""The OpenAPI document and the docs page (no asset from the internet)."""

import json
import re

EXPECTED = [
    "/api/auth/token", "/api/me", "/api/my-work", "/api/cases", "/api/cases/{case_id}",
    "/api/cases/{case_id}/evidence", "/api/cases/{case_id}/duplicates",
    "/api/evidence/{evidence_id}/{variant}", "/api/requests/{request_id}/approve",
    "/api/requests/{request_id}/reject", "/api/supervision-orders/{order_id}/reply",
]  # fmt: skip
ACTIONS = [
    "accept", "send_for_verification", "assign_inspector", "verify", "refuse", "file",
    "request_void", "dispatch", "sign", "submit_result", "check", "close", "request_return",
    "request_extension", "request_suspension", "resume", "supervise", "merge", "add_evidence",
]  # fmt: skip


def test_openapi_document(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Civicloop field API"
    paths = document["paths"]
    for path in EXPECTED + [f"/api/cases/{{case_id}}/actions/{name}" for name in ACTIONS]:
        assert path in paths, path
    assert "bearer" in json.dumps(document["components"]["securitySchemes"]).lower()
    report = paths["/api/cases"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in report
    accept = paths["/api/cases/{case_id}/actions/accept"]["post"]["requestBody"]["content"]
    assert "application/json" in accept
    operation_ids = [op["operationId"] for ops in paths.values() for op in ops.values()]
    assert len(operation_ids) == len(set(operation_ids))


def test_docs_page_loads_nothing_from_the_internet(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/openapi.json" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    for asset in re.findall(r"(?:src|href)=\"(/api/docs/assets/[^\"]+)\"", html):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/api/docs/assets/../../settings.py").status_code == 404
    assert client.get("/api/docs/assets/secret.js").status_code == 404


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_component_names_are_unique(client, db):
    """ninja names components by class name: two Schemas of one name would overwrite
    each other in the document."""
    from ninja import Schema

    client.get("/api/openapi.json")  # every endpoint module imported
    names = [c.__name__ for c in set(_subclasses(Schema)) if c.__module__.startswith("civicloop.")]
    assert sorted(n for n in names if names.count(n) > 1) == []


def test_the_document_says_what_forms_and_json_bodies_take(client, db):
    paths = json.loads(client.get("/api/openapi.json").content)["paths"]
    accept = paths["/api/cases/{case_id}/actions/accept"]["post"]["requestBody"]
    form = accept["content"]["application/x-www-form-urlencoded"]["schema"]["properties"]
    assert form["version"]["type"] == "integer" and "anyOf" not in form["version"]
    assert form["version"]["minimum"] == 0
    as_json = accept["content"]["application/json"]["schema"]["properties"]
    assert {"type": "null"} in as_json["version"]["anyOf"]  # null = left out
    assert accept["required"] is False  # every field optional: no body at all is fine
    refuse = paths["/api/cases/{case_id}/actions/refuse"]["post"]["requestBody"]
    reason = refuse["content"]["application/json"]["schema"]["properties"]["reason"]
    assert reason["minLength"] == 1 and reason["maxLength"] == 2000 and "\\x00" in reason["pattern"]
    assert refuse["required"] is True
    # a JSON body Schema must be sent, if only as {}
    assert paths["/api/renovation/votes/{vote_id}/open"]["post"]["requestBody"]["required"]
    case_id = paths["/api/cases/{case_id}"]["get"]["parameters"][0]["schema"]
    assert case_id["minimum"] == 1 and case_id["maximum"] == 2**63 - 1


def test_form_version_null_is_refused_and_json_null_is_left_out(api, case_in):
    case = case_in("reported")
    client = api("acceptor")
    url = f"/api/cases/{case.pk}/actions/accept"
    response = client.client.post(url, {"version": "null"}, **client._headers({}))
    assert response.status_code == 400 and response.json()["field"] == "version"
    assert client.post(url, {"version": None, "note": None}).status_code == 200
    huge = client.get(f"/api/cases/{2**70}")
    assert huge.status_code == 400 and huge.json()["field"] == "case_id"
