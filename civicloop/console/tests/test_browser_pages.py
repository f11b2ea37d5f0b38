"""Each role signs in and sees its home; scope in the browser; the dashboard map."""

import pytest

from .conftest import make_cases

pytestmark = pytest.mark.django_db(transaction=True)

HOMES = {
    "inspector": ["#queue-verify", "#queue-check"],
    "acceptor": ["#queue-accept"],
    "shift_leader": ["#queue-file", "#queue-close", "#queue-merge", "#decisions-shift"],
    "dispatcher": ["#queue-dispatch", "#queue-suspended", "#decisions-dispatch"],
    "handler_clean": ["#queue-sign", "#queue-handle", "#queue-red", "#stage-strip"],
    "road_chief": ["#queue-road"],
    "leader_west": ["#dashboard-map", "#tiles"],
    "supervisor": ["#dashboard-map", "#tiles"],
    "admin_role": ["#dashboard-map"],
}


def test_each_role_signs_in_and_sees_its_home(sign_in, live_server, dispatched):
    for username, selectors in HOMES.items():
        page = sign_in(username)
        assert page.locator("#whoami").inner_text() == username
        for selector in selectors:
            assert page.locator(selector).count() == 1, (username, selector)
        if username == "handler_clean":
            assert page.locator(f".case-row[data-case='{dispatched.pk}']").count() == 1
        page.click("#logout")
        page.wait_for_url("**/console/login/")


def test_wrong_password_is_refused(sign_in):
    page = sign_in("inspector", password="wrong")
    assert page.locator("#login-error").count() == 1


def test_a_handler_cannot_open_another_units_case(sign_in, live_server, dispatched):
    page = sign_in("handler_east")
    response = page.goto(f"{live_server.url}/console/cases/{dispatched.pk}/")
    assert response.status == 404
    response = page.goto(f"{live_server.url}/console/map/cases.json")
    assert response.json()["features"] == []
    page = sign_in("handler_clean")
    assert page.goto(f"{live_server.url}/console/cases/{dispatched.pk}/").status == 200


def test_dashboard_map_shows_the_cases(sign_in, live_server, loop, dispatched, screenshots):
    make_cases(loop, 4)
    make_cases(loop, 3, point="east_point", category="E0201")
    page = sign_in("dispatcher")
    page.goto(f"{live_server.url}/console/dashboard/")
    page.wait_for_selector(".leaflet-marker-icon.case-marker")
    page.wait_for_function(
        "() => document.querySelectorAll('.leaflet-marker-icon.case-marker').length >= 8"
    )
    assert page.locator(".leaflet-marker-icon.case-marker").count() == 8
    assert page.locator("#dashboard-map path.leaflet-interactive").count() == 2  # two streets
    assert page.locator("#trend-chart canvas").count() >= 1
    assert page.locator("#tile-open b").inner_text() == "8"
    page.wait_for_timeout(600)  # let the chart animations finish for the screenshot
    page.screenshot(path=str(screenshots / "dashboard.png"), full_page=True)
    # a marker opens its case; a state count opens the list behind it
    page.locator(".leaflet-marker-icon.case-marker").last.click(force=True)
    page.wait_for_selector(".leaflet-popup-content a")
    with page.expect_navigation():
        page.click(".leaflet-popup-content a")
    assert "/console/cases/" in page.url
    page.goto(f"{live_server.url}/console/dashboard/")
    with page.expect_navigation():
        page.click("#tile-state-reported")
    assert page.locator(".case-row").count() == 7
