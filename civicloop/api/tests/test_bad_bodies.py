"""Every write endpoint answers 400 to a body it cannot parse, with a token or without."""

from __future__ import annotations

import re

import pytest
from django.test import Client

BROKEN = [
    # a multipart body whose closing boundary never comes
    (b'--XYZ\r\nContent-Disposition: form-data; name="note"\r\n\r\nvalue',
     "multipart/form-data; boundary=XYZ"),
    # a multipart content type without a boundary
    (b"note=value", "multipart/form-data"),
    # JSON that is not JSON, and JSON that is not an object
    (b'{"note": ', "application/json"),
    (b"[1, 2]", "application/json"),
]  # fmt: skip


def write_paths(client) -> list[tuple[str, str]]:
    schema = client.get("/api/openapi.json").json()
    found = []
    for template, operations in schema["paths"].items():
        path = re.sub(r"\{[^}]+\}", "1", template)
        for method in operations:
            if method in ("post", "put", "patch", "delete"):
                found.append((method.upper(), path))
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "token"])
def test_no_write_endpoint_answers_500_to_a_broken_body(loop, api, signed_in):
    client = Client(raise_request_exception=False)
    headers = {}
    if signed_in:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {api('dispatcher').key}"
    paths = write_paths(client)
    assert len(paths) >= 20
    failures = []
    for method, path in paths:
        for body, content_type in BROKEN:
            response = client.generic(method, path, body, content_type=content_type, **headers)
            if response.status_code >= 500 or (signed_in and response.status_code == 200):
                failures.append((method, path, content_type, response.status_code))
            elif response["Content-Type"].startswith("application/json"):
                assert set(response.json()) >= {"code", "message"}
    assert failures == []
