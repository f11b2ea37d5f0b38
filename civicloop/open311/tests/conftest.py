"""Fixtures for the Open311 tests: a client key, a generous rate limit, helpers."""

import pytest
from django.test import Client

from civicloop.open311.models import Open311Client

KEY = "test-key-0123456789"


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    """Tests of other things never hit the limits (the root conftest clears the counters)."""
    settings.OPEN311_RATE_LIMIT = "10000/m"
    settings.PORTAL_RATE_LIMIT = "10000/m"


@pytest.fixture
def client():
    """A test client that asks for English (the site's default language is Chinese)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def api_client(loop):
    client = Open311Client(name="test app", contact="dev@example.org")
    client.set_key(KEY)
    client.save()
    return client


@pytest.fixture
def post_request(client, api_client, loop):
    """POST a service request (defaults: E0102 at the west point, JSON)."""

    def post(fmt="json", **fields):
        lon, lat = loop["west_point"]
        data = {"api_key": KEY, "service_code": "E0102", "lat": str(lat), "long": str(lon),
                "description": "Rubbish by the gate"}  # fmt: skip
        data.update(fields)
        data = {k: v for k, v in data.items() if v is not None}
        return client.post(f"/open311/v2/requests.{fmt}", data)

    return post
