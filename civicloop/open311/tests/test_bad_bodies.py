"""Every Open311 URL answers a body it cannot parse with a 4xx, never a 500."""

import pytest
from django.test import Client

from civicloop.core.tests.bodies import server_errors, urls_of

from .conftest import KEY

FIELDS = ["description", "address_string", "first_name", "last_name", "email", "phone",
          "account_id", "device_id", "media_url", "attribute[urgency]", "lat", "long"]  # fmt: skip


@pytest.mark.django_db
def test_no_open311_url_answers_500_to_a_broken_body(loop, api_client):
    client = Client(raise_request_exception=False)
    urls = urls_of("open311")
    assert len(urls) >= 10
    assert server_errors(client, urls) == []
    # A valid key and service, then a NUL in each field in turn: 400 with an Open311
    # error body (PostgreSQL cannot store a NUL; device_id once reached the database).
    lon, lat = loop["west_point"]
    for field in FIELDS:
        data = {"api_key": KEY, "service_code": "E0102", "lat": str(lat), "long": str(lon),
                field: "a\x00b"}  # fmt: skip
        response = client.post("/open311/v2/requests.json", data)
        assert response.status_code == 400, (field, response.content[:200])
        assert response.json()[0]["code"] == 400  # the specification's error list
