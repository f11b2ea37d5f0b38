"""Fixtures for the portal tests."""

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    """Tests of other things never hit the limits (the root conftest clears the counters)."""
    settings.PORTAL_RATE_LIMIT = "10000/m"
    settings.OPEN311_RATE_LIMIT = "10000/m"


@pytest.fixture
def client():
    """A test client that asks for English (the site's default language is Chinese)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def public_report(loop):
    """Report as a resident through the action (defaults: E0102 at the west point)."""
    from civicloop.cases import actions
    from civicloop.cases.permissions import public_actor

    def report(category="E0102", where="west_point", **kwargs):
        lon, lat = loop[where] if isinstance(where, str) else where
        return actions.report_case(
            public_actor(), source="public", category=category, lon=lon, lat=lat, **kwargs
        )

    return report
