"""From a meeting report to registered items, in Chromium: read, edit, untick, confirm."""
# ruff: noqa: F811  (the supervision fixtures are imported as fixtures)

import datetime
import json
from pathlib import Path

import pytest
from django.utils import timezone

from civicloop.supervision.models import Item
from civicloop.supervision.tests.conftest import sup  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

LABELLED = Path(__file__).resolve().parents[2] / "supervision/extraction/data/labelled.json"


def _paragraph(pid):
    paragraphs = json.loads(LABELLED.read_text(encoding="utf-8"))["paragraphs"]
    return next(p["text"] for p in paragraphs if p["id"] == pid)


def test_office_confirms_drafts_from_a_labelled_paragraph(sign_in, live_server, sup, screenshots):
    text = _paragraph("p01")  # 9月15日之前…区城管局牵头; 各镇办要在8月底前…摸底排查
    page = sign_in("supervisor")
    page.goto(f"{live_server.url}/console/supervision/items/")
    with page.expect_navigation():
        page.click("#from-report")
    assert page.input_value("#meeting-date") == timezone.localdate().isoformat()
    page.fill("#meeting-title", "区城市管理委员会专题会议")
    page.fill("#meeting-text", text)
    with page.expect_navigation():
        page.click("#extract-go")
    drafts = page.locator("fieldset.draft")
    assert drafts.count() == 3  # the toilets; 各镇办 → one per street (西街道, 东街道)
    assert page.locator("#draft-0 mark.hl-deadline").inner_text() == "9月15日之前"
    assert page.locator("#draft-1 mark.hl-per").inner_text() == "各镇办"
    assert (
        "文中未指明单位" in page.locator("#draft-0").inner_text()
    )  # 区城管局 is not in this registry
    # Choosing a unit reloads the drafts (extract.js) with that unit's people.
    with page.expect_navigation():
        page.select_option("#draft-0 select[name=d0-lead_unit]", str(sup["west"].pk))
    assert "leader_west" in page.locator("#draft-0 select[name=d0-person]").inner_text()
    assert page.input_value("#meeting-title") == "区城市管理委员会专题会议"
    # The east street's deadline is moved; the toilets are not registered now.
    deadline = timezone.localdate() + datetime.timedelta(days=45)
    page.fill("#draft-2 input[name=d2-deadline]", deadline.isoformat())
    page.uncheck("#draft-0 input[name=d0-pick]")
    page.screenshot(path=str(screenshots / "supervision-extract.png"), full_page=True)
    with page.expect_navigation():
        page.click("#confirm-go")
    assert "/console/supervision/items/?ids=" in page.url
    assert page.locator(".item-row").count() == 2
    assert "已从“区城市管理委员会专题会议”立项 2 项" in page.locator(".messages").inner_text()
    page.screenshot(path=str(screenshots / "supervision-extract-done.png"), full_page=True)
    items = list(Item.objects.order_by("id"))
    assert [i.lead_unit_id for i in items] == [sup["west"].pk, sup["east"].pk]
    assert items[1].deadline == deadline
    assert all(i.source == "meeting" and i.minutes == text for i in items)
    assert items[0].deadline.month == 8 and items[0].deadline.day == 31


def test_the_page_works_without_javascript(browser, live_server, sup, screenshots):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/console/login/")
    page.fill("#id_username", "supervisor")
    page.fill("#id_password", "pw")
    with page.expect_navigation():
        page.click("#login-submit")
    page.goto(f"{live_server.url}/console/supervision/extract/")
    page.fill("#meeting-title", "区城市管理委员会专题会议")
    page.fill("#meeting-text", _paragraph("p01"))
    with page.expect_navigation():
        page.click("#extract-go")
    page.select_option("#draft-0 select[name=d0-lead_unit]", str(sup["east"].pk))
    with page.expect_navigation():
        page.click("#refresh-go")  # without JS the officer asks for the unit's people
    assert "handler_east" in page.locator("#draft-0 select[name=d0-person]").inner_text()
    for n in (1, 2):
        page.uncheck(f"#draft-{n} input[name=d{n}-pick]")
    with page.expect_navigation():
        page.click("#confirm-go")
    assert page.locator(".item-row").count() == 1
    assert Item.objects.get().lead_unit_id == sup["east"].pk
    context.close()
