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
