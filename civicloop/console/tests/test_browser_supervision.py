"""The supervision desk in Chromium: the office, a unit and a district leader at work."""
# ruff: noqa: F811  (the supervision fixtures are imported as fixtures)

import datetime

import pytest

from civicloop.supervision import actions as sv
from civicloop.supervision.models import CampaignRow, Colour, Item, State
from civicloop.supervision.tests.conftest import T0, make_campaign, new_item, sup  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk(sup):
    office = sup["actors"]["supervisor"]
    items = []
    for n, colour in enumerate([Colour.RED, Colour.RED, Colour.GREEN, Colour.YELLOW]):
        item = new_item(
            sup, title=f"督办事项{n + 1}：背街小巷整治", deadline=datetime.date(2025, 3, 20 + n)
        )
        sv.assign(office, item, at=T0)
        Item.objects.filter(pk=item.pk).update(colour=colour, red_count=1 if colour == "red" else 0)
        items.append(item)
    campaign = make_campaign(sup)
    return {**sup, "items": items, "campaign": campaign}


def test_office_filters_red_and_chases_in_bulk(sign_in, live_server, desk, screenshots):
    page = sign_in("supervisor")
    page.click("#nav-sv-desk")
    page.wait_for_url("**/console/supervision/items/")
    assert page.locator(".item-row").count() == 4
    page.click("#colour-tabs a[data-colour=red]")
    page.wait_for_url("**colour=red")
    assert page.locator(".item-row").count() == 2
    assert set(page.locator(".item-row").evaluate_all("rs => rs.map(r => r.dataset.colour)")) == {
        "red"
    }
    page.check("#tick-all")
    page.select_option("#bulk-action", "chase")
    page.screenshot(path=str(screenshots / "supervision-office.png"), full_page=True)
    with page.expect_navigation():
        page.click("#bulk-go")
    assert "已处理 2 项" in page.locator(".messages").inner_text()
    assert sorted(Item.objects.values_list("chase_count", flat=True)) == [0, 0, 1, 1]


def test_unit_signs_and_records_progress_inline(sign_in, live_server, desk, screenshots):
    page = sign_in("handler_west")
    page.click("#nav-sv-desk")
    page.wait_for_url("**/console/supervision/mine/")
    assert page.locator("#my-items .item-row").count() == 4
    row = page.locator("#my-rows .ledger-row").first
    assert row.count() == 1
    page.screenshot(path=str(screenshots / "supervision-unit.png"), full_page=True)
    row.locator("input[name=f-enrolled]").fill("48")
    row.locator("input[name=f-installed]").check()
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    assert page.locator("#my-rows .ledger-row").count() == 0
    done = CampaignRow.objects.get(key="C003")
    assert done.done and done.values["enrolled"] == 48
    item = desk["items"][0]
    page.goto(f"{live_server.url}/console/supervision/items/{item.pk}/")
    with page.expect_navigation():
        page.click("#do-sign")
    assert Item.objects.get(pk=item.pk).state == State.SIGNED
    page.fill("#form-report_progress textarea[name=note]", "已清理三条小巷")
    page.fill("#form-report_progress input[name=percent]", "150")
    with page.expect_navigation():
        page.click("#do-report_progress")
    assert "0 到 100" in page.locator("#action-error").inner_text()
    page.fill("#form-report_progress textarea[name=note]", "已清理三条小巷")
    page.fill("#form-report_progress input[name=percent]", "60")
    with page.expect_navigation():
        page.click("#do-report_progress")
    assert "已清理三条小巷" in page.locator("#timeline").inner_text()
    page.screenshot(path=str(screenshots / "supervision-item.png"), full_page=True)


def test_leader_sees_what_is_late_and_drills_down(sign_in, live_server, desk, screenshots):
    page = sign_in("district_leader")
    page.click("#nav-sv-desk")
    page.wait_for_url("**/console/supervision/late/")
    assert page.locator("#tile-red b").inner_text() == "2"
    street = page.locator("#by-street .street-row").first
    assert "西街道" in street.inner_text()
    page.screenshot(path=str(screenshots / "supervision-leader.png"), full_page=True)
    with page.expect_navigation():
        street.locator("a.sheet-red").click()
    assert page.locator(".item-row").count() == 2
    assert page.locator("#bulk-form").count() == 0  # a leader looks; the office acts
