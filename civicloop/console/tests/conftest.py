"""Fixtures of the console tests: signed-in clients and a case at each stage."""

import pytest


@pytest.fixture
def client_for(client, loop):
    """A test client signed in as one of the loop's users."""
    from django.test import Client

    def make(username):
        c = Client(headers={"accept-language": "en"})
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


# --- the browser (the session's Chromium is the root conftest's ``browser``) ------


@pytest.fixture
def sign_in(browser, live_server, loop):
    """Open a fresh browser context (Chinese UI) and sign in through the login page."""
    contexts = []

    def make(username, password="pw"):
        context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{live_server.url}/console/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("#login-submit")
        page.wait_for_load_state("networkidle")
        return page

    errors: list[str] = []
    make.errors = errors
    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def screenshots():
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.BASE_DIR) / "var" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# The evaluation's hand-built month (test_evaluation_pages.py, test_exports.py).
from civicloop.evaluation.tests.conftest import month  # noqa: E402, F401
from civicloop.renovation.tests.conftest import reno  # noqa: E402,F401  (for test_csp)
