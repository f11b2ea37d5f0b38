"""Real headless Chromium: the public compound pages on a phone, and the console ledger."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from civicloop.renovation import actions
from civicloop.renovation.models import Ballot, Order, Receipt

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = "/tmp/renovation-shots"


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_resident_orders_votes_and_sees_results_on_a_phone(live_server, reno, phone, photo):
    west = reno["west"]
    order = actions.place_order(reno["residents"][1], west, title="加装电梯")
    actions.accept_order(reno["actors"]["worker"], order)
    vote = actions.create_vote(reno["actors"]["worker"], west, title="电梯表决", orders=[order],
                               opens_at=timezone.now() - datetime.timedelta(minutes=5),
                               closes_at=timezone.now() + datetime.timedelta(days=2))  # fmt: skip
    actions.open_vote(reno["actors"]["worker"], vote)
    page = phone
    page.goto(f"{live_server.url}/compounds/")
    page.click("text=西小区")
    expect(page.locator("#compound-name")).to_have_text("西小区")
    _fits(page)
    page.screenshot(path=f"{SHOTS}/phone-compound.png", full_page=True)
    # Order with the household code and a photo.
    page.click("#order-link")
    page.fill("#code", reno["codes"][0])
    page.select_option("#work_type", "S04")
    page.fill("#text", "电动车没有地方停")
    page.set_input_files("#photos", files=[{"name": "a.jpg", "mimeType": "image/jpeg",
                                            "buffer": photo()}])  # fmt: skip
    _fits(page)
    page.screenshot(path=f"{SHOTS}/phone-order.png", full_page=True)
    page.click("#submit")
    expect(page.locator("#done")).to_be_visible()
    assert Order.objects.filter(title="停车设施", household=reno["residents"][0].household).exists()
    # A wrong compound's code is refused with a message, and nothing is written.
    page.goto(f"{live_server.url}/compounds/{west.compound_id}/order/")
    page.fill("#code", reno["east_code"])
    page.fill("#title", "想要")
    page.click("#submit")
    expect(page.locator("#error")).to_be_visible()
    # Vote, then change the vote.
    page.goto(f"{live_server.url}/compounds/{west.compound_id}/votes/{vote.pk}/")
    page.fill("#code", reno["codes"][0])
    page.check("input[value='for']")
    _fits(page)
    page.screenshot(path=f"{SHOTS}/phone-ballot.png", full_page=True)
    page.click("#submit")
    expect(page.locator("#done")).to_be_visible()
    page.goto(f"{live_server.url}/compounds/{west.compound_id}/votes/{vote.pk}/")
    page.fill("#code", reno["codes"][0])
    page.check("input[value='against']")
    page.click("#submit")
    expect(page.locator("#done")).to_contain_text("改")
    assert (
        Receipt.objects.filter(vote=vote).count() == Ballot.objects.filter(vote=vote).count() == 1
    )
    # My household: the orders and the vote status, never the choice.
    page.goto(f"{live_server.url}/compounds/{west.compound_id}/mine/")
    page.fill("#code", reno["codes"][0])
    page.click("button.primary")
    expect(page.locator("#my-orders")).to_contain_text("停车设施")
    text = page.locator("main").inner_text()
    assert "反对" not in text and "against" not in text
    page.screenshot(path=f"{SHOTS}/phone-mine.png", full_page=True)


def test_console_ledger_lights_and_filters(live_server, reno, browser):
    actions.add_item(reno["actors"]["officer"], reno["west"], work_type="R04", budget="30",
                     progress=80)  # fmt: skip
    actions.add_item(reno["actors"]["officer"], reno["east"], work_type="R05", budget="10")
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.goto(f"{live_server.url}/console/login/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", "pw")
    page.click("#login-submit")
    page.click("#nav-renovation")
    expect(page.locator("#ledger")).to_be_visible()
    expect(page.locator("#batch-1")).to_contain_text("第一批")
    expect(page.locator("#ledger tbody tr")).to_have_count(2)
    page.screenshot(path=f"{SHOTS}/console-ledger.png", full_page=True)
    page.select_option("#filter-class", "quality")
    page.click("#apply")
    expect(page.locator("#ledger tbody tr")).to_have_count(1)
    expect(page.locator("#ledger")).to_contain_text("西小区")
    page.click("text=西小区")
    expect(page.locator("#desk-title")).to_have_text("西小区")
    expect(page.locator("#desk-progress")).to_have_text("80.0%")
    page.screenshot(path=f"{SHOTS}/console-desk.png", full_page=True)
    context.close()
