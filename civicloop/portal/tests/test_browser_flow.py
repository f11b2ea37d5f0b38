"""The whole resident flow in a real headless Chromium: report with a photo and a map pin,
see the nearby case offered, get a tracking code, track, and rate after closure."""

import pytest
from playwright.sync_api import expect

from civicloop.cases.models import Case, CaseRequest, Evidence, Rating
from civicloop.cases.tests.loop_helpers import advance


@pytest.fixture
def browser_page(browser):
    """A phone-sized page in the session's Chromium (root conftest)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.requested = requested
    yield page
    context.close()


@pytest.mark.django_db(transaction=True)
def test_report_track_and_rate(live_server, loop, public_report, photo, browser_page):
    page = browser_page
    # An open case of the same kind a few dozen metres from the middle of the district.
    existing = public_report(where=(113.6098, 34.7049), description="路口有一堆垃圾")

    page.goto(f"{live_server.url}/report/")
    expect(page.locator("#map[data-ready='1']")).to_be_visible()
    page.select_option("#category", "E0102")
    page.set_input_files(
        "#photos", files=[{"name": "garbage.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#pin-status")).not_to_be_empty()

    # The nearby open case is offered before sending.
    nearby = page.locator("#nearby")
    expect(nearby).to_be_visible()
    expect(nearby.locator(".n-number")).to_have_text(existing.number)
    expect(nearby.locator("button.follow")).to_have_attribute("value", existing.number)

    # Report anyway (a different heap), with HTML that must stay text.
    page.fill("#id_description", "另一堆垃圾 <b>很多</b>")
    page.fill("#id_phone", "13800000000")
    page.click("#send")
    page.wait_for_url("**/track/*/")
    code = page.locator("#tracking-code").inner_text().strip()
    case = Case.objects.get(tracking_code=code)
    assert case.pk != existing.pk and case.source == "public"
    assert 113.605 < case.lon < 113.615 and 34.70 < case.lat < 34.71
    assert Evidence.objects.filter(case=case, kind="before").count() == 1
    expect(page.locator("#case-number")).to_have_text(case.number)
    expect(page.locator("#case-description")).to_have_text("另一堆垃圾 <b>很多</b>")
    assert "13800000000" not in page.content()

    # Closed through the actions; the resident looks the code up again and rates.
    advance(loop, Case.objects.get(pk=case.pk), "closed", photo=photo)
    page.goto(f"{live_server.url}/")
    page.fill("input[name=code]", code.lower())
    page.press("input[name=code]", "Enter")
    page.wait_for_url(f"**/track/{code}/")
    expect(page.locator("#case-state")).to_have_text("已办结")  # in residents' words
    expect(page.locator(".timeline .photos img").first).to_be_visible()
    expect(page.locator("#own-photos img").first).to_be_visible()  # the resident's own photo
    page.check("input[name=level][value='2']")
    page.fill("textarea[name=reason]", "只清理了一半")
    page.click("#send-rating")
    expect(page.locator("#rated")).to_be_visible()
    expect(page.locator("#after-rating")).to_contain_text("值班长")  # what happens next
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(_screenshots() / "portal-track-rated.png"), full_page=True)
    rating = Rating.objects.get(case=case)
    assert (rating.level, rating.reason) == (2, "只清理了一半")
    assert CaseRequest.objects.filter(case=case, kind="reopen", status="pending").exists()

    # Nothing was loaded from outside the test server.
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in page.requested)


def _screenshots():
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.BASE_DIR) / "var" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.django_db(transaction=True)
def test_follow_from_the_offer(live_server, loop, public_report, browser_page):
    page = browser_page
    existing = public_report(where=(113.6098, 34.7049))
    page.goto(f"{live_server.url}/report/")
    expect(page.locator("#map[data-ready='1']")).to_be_visible()
    page.select_option("#category", "E0102")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.fill("#id_email", "neighbour@example.org")
    page.locator("button.follow").click()
    page.wait_for_url("**/track/*/")
    follower = existing.followers.get()
    assert follower.email == "neighbour@example.org"
    expect(page.locator("#case-number")).to_have_text(existing.number)
