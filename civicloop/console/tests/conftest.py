"""Fixtures of the console tests: signed-in clients and a case at each stage."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django refuses
# ORM calls from such a thread unless told it is fine (the tests are sync).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def client_for(client, loop):
    """A test client signed in as one of the loop's users."""
    from django.test import Client

    def make(username):
        c = Client()
        c.force_login(loop["users"][username])
        return c

    return make


@pytest.fixture
def reported(loop, photo):
    """A case reported by the inspector in the west street (E0102 → cleaning company)."""
    from civicloop.cases import actions

    lon, lat = loop["west_point"]
    return actions.report_case(
        loop["actors"]["inspector"], source="inspector", category="E0102", lon=lon, lat=lat,
        description="垃圾堆在路边", address="西街 1 号", photos=[photo()],
    )  # fmt: skip


@pytest.fixture
def dispatched(loop, reported):
    """The reported case accepted, filed and dispatched to the cleaning company."""
    from civicloop.cases import actions

    a = loop["actors"]
    actions.accept_case(a["acceptor"], reported)
    actions.file_case(a["shift_leader"], reported)
    actions.dispatch_case(a["dispatcher"], reported)
    reported.refresh_from_db()
    return reported


def make_cases(loop, n, point="west_point", category="E0102"):
    """N reported cases at a point (for query-count tests)."""
    from civicloop.cases import actions

    lon, lat = loop[point]
    return [
        actions.report_case(
            loop["actors"]["inspector"],
            source="inspector",
            category=category,
            lon=lon + i * 1e-5,
            lat=lat,
            description=f"case {i}",
        )  # fmt: skip
        for i in range(n)
    ]
