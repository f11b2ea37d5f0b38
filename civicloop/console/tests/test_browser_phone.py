"""The console on a phone (390×844): my work, the case and its actions fit the screen.

Nothing is wider than the screen (no horizontal scrolling), category names are
never broken one character per line, my work shows cards, the case shows what
the user can do right after its facts, and photo inputs open the back camera.
Screenshots go to var/screenshots/ (kept by CI with the other browser tests').
"""

import pytest

from civicloop.cases import actions

from .conftest import make_cases

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}

NO_OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth"
#: Category cells that take more than one line (a name broken per character takes several).
#: The text's own line boxes are counted (a range over the cell's contents has one
#: rectangle per line), not the cell's height, which is the row's.
WRAPPED_CATEGORIES = """() => Array.from(document.querySelectorAll('td.cat')).filter(el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const tops = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
  return tops.size > 1;
}).map(el => el.textContent.trim())"""


@pytest.fixture
def phone(browser, live_server, loop):
    """Sign in on a phone-sized, touch screen (Chinese UI)."""
    contexts, errors = [], []

    def make(username, *, viewport=PHONE):
        context = browser.new_context(locale="zh-CN", viewport=viewport, is_mobile=True,
                                      has_touch=True, device_scale_factor=2)  # fmt: skip
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{live_server.url}/console/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "pw")
        page.click("#login-submit")
        page.wait_for_load_state("networkidle")
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


def _fits(page):
    assert page.evaluate(NO_OVERFLOW), page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )


def test_my_work_on_a_phone(phone, live_server, loop, dispatched, screenshots):
    make_cases(loop, 3)
    page = phone("handler_clean")
    assert page.locator(f".case-row[data-case='{dispatched.pk}']").count() == 1
    _fits(page)
    assert page.evaluate(WRAPPED_CATEGORIES) == []
    # cards: no table header, each row a block the width of the screen
    assert page.locator("table.grid.cases thead").first.is_hidden()
    row = page.locator(f".case-row[data-case='{dispatched.pk}']").bounding_box()
    assert row["width"] > 300
    page.screenshot(path=str(screenshots / "phone-my-work.png"), full_page=True)
    page = phone("inspector")
    _fits(page)
    assert page.evaluate(WRAPPED_CATEGORIES) == []
    page.screenshot(path=str(screenshots / "phone-inspector-home.png"), full_page=True)
    # an inspector reports from the street: the form fits and the photo input opens the camera
    page.goto(f"{live_server.url}/console/report/")
    page.wait_for_load_state("networkidle")
    _fits(page)
    assert page.locator("input[type=file][name=photos]").get_attribute("capture") == "environment"
    page.screenshot(path=str(screenshots / "phone-report.png"), full_page=True)


def test_case_and_its_actions_on_a_phone(phone, live_server, loop, dispatched, screenshots):
    actions.sign_case(loop["actors"]["handler_clean"], dispatched)
    page = phone("handler_clean")
    page.goto(f"{live_server.url}/console/cases/{dispatched.pk}/")
    page.wait_for_load_state("networkidle")
    _fits(page)
    # what you can do comes right after the facts and the deadline, before the timeline
    facts = page.locator(".facts").bounding_box()
    actions_box = page.locator("#actions").bounding_box()
    timeline = page.locator("#timeline").bounding_box()
    assert facts["y"] < actions_box["y"] < timeline["y"]
    assert actions_box["width"] <= PHONE["width"]
    page.screenshot(path=str(screenshots / "phone-case.png"), full_page=True)
    page.click("#action-submit_result summary")
    camera = page.locator("#action-submit_result input[type=file]")
    assert camera.get_attribute("capture") == "environment"
    assert "image/" in camera.get_attribute("accept")
    _fits(page)
    page.screenshot(path=str(screenshots / "phone-submit-result.png"), full_page=True)


def test_the_case_list_and_home_queues_on_a_desktop(
    phone, live_server, loop, dispatched, screenshots
):
    """On a wide screen the queues take the full width; categories stay on one line."""
    make_cases(loop, 3)
    page = phone("shift_leader", viewport={"width": 1440, "height": 1000})
    _fits(page)
    assert page.evaluate(WRAPPED_CATEGORIES) == []
    queue = page.locator(".queue").first.bounding_box()
    assert queue["width"] > 1000
    page.screenshot(path=str(screenshots / "desktop-home-queues.png"), full_page=True)
    page.goto(f"{live_server.url}/console/cases/")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(screenshots / "desktop-case-list.png"), full_page=True)
    _fits(page)
    assert page.evaluate(WRAPPED_CATEGORIES) == []
