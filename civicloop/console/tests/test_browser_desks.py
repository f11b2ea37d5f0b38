"""The hotline and dispatch desks in headless Chromium: duplicates shown while a call is
typed (and followed instead of registered), the dispatch desk's unit search, limit,
deadline and override reason. Screenshots go to var/screenshots (kept by CI)."""

import pytest

from civicloop.cases import actions
from civicloop.cases.models import Case, CaseFollower, SmallClass

pytestmark = pytest.mark.django_db(transaction=True)


def _report(loop, **extra):
    lon, lat = loop["west_point"]
    return actions.report_case(loop["actors"]["inspector"], source="inspector", category="E0102",
                               lon=lon, lat=lat, description="路边堆了很多生活垃圾",
                               address="西街 12 号门口", **extra)  # fmt: skip


def test_hotline_shows_duplicates_before_saving_and_follows_instead(
    sign_in, live_server, loop, screenshots
):
    existing = _report(loop)
    category = SmallClass.objects.get(full_code="E0102")
    lon, lat = loop["west_point"]
    page = sign_in("acceptor")
    page.goto(f"{live_server.url}/console/hotline/")
    # the searchable category picker: typing narrows the select and picks the first match
    page.fill("#id_category_filter", "E0102")
    page.wait_for_function("() => document.getElementById('id_category').value !== ''")
    assert page.input_value("#id_category") == str(category.pk)
    visible = page.evaluate(
        "() => Array.from(document.querySelectorAll('#id_category option')).filter(o => o.value && !o.hidden).length"
    )
    assert visible == 1
    assert page.is_hidden("#hotline-duplicates")
    page.fill("#id_lon", str(lon + 0.0001))
    page.fill("#id_lat", str(lat))
    page.wait_for_function(
        "() => document.getElementById('hotline-duplicates').dataset.count === '1'"
    )
    assert page.is_visible("#hotline-duplicates")
    assert existing.number in page.inner_text("#hotline-duplicates-list")
    page.screenshot(path=str(screenshots / "desk-hotline-duplicates.png"), full_page=True)
    # following needs the caller's phone
    page.click("#hotline-duplicates .follow-instead")
    assert page.is_visible("#hotline-duplicates-phone")
    assert not CaseFollower.objects.exists()
    page.fill("#id_reporter_phone", "13800000000")
    with page.expect_navigation():
        page.click("#hotline-duplicates .follow-instead")
    assert page.url.endswith(f"/console/cases/{existing.pk}/")
    assert CaseFollower.objects.get().phone == "13800000000"
    assert Case.objects.count() == 1  # nothing new registered


def test_dispatch_desk_search_limit_deadline_and_override_reason(
    sign_in, live_server, loop, screenshots
):
    a = loop["actors"]
    case = _report(loop)
    actions.accept_case(a["acceptor"], case)
    actions.file_case(a["shift_leader"], case)
    west = loop["offices"]["west"]
    page = sign_in("dispatcher")
    page.goto(f"{live_server.url}/console/cases/{case.pk}/")
    page.click("#action-dispatch summary")
    # the suggestion, the limit and the deadline are shown before confirming
    assert page.is_visible("#dispatch-suggestion") and page.is_visible("#dispatch-limit")
    assert page.inner_text("#dispatch-deadline").strip()
    assert page.input_value("#id_dispatch-unit") == str(loop["cleaning"].pk)
    assert page.is_hidden("#dispatch-reason-needed")
    groups = page.evaluate("() => document.querySelectorAll('#id_dispatch-unit optgroup').length")
    assert groups >= 2
    # search for another unit: the reason becomes required
    page.fill("#id_dispatch-unit_filter", west.name)
    page.wait_for_function("() => !document.getElementById('dispatch-reason-needed').hidden")
    assert page.input_value("#id_dispatch-unit") == str(west.pk)
    page.screenshot(path=str(screenshots / "desk-dispatch-override.png"), full_page=True)
    page.click("#submit-dispatch")  # the browser refuses: the reason is required
    page.wait_for_function(
        "() => document.querySelector('#form-dispatch textarea[name=\"dispatch-reason\"]').matches(':invalid')"
    )
    assert Case.objects.get(pk=case.pk).state == "pending_dispatch"
    page.fill("#form-dispatch textarea[name='dispatch-reason']", "该路段由西街道保洁")
    with page.expect_navigation():
        page.click("#submit-dispatch")
    page.wait_for_load_state("networkidle")
    case.refresh_from_db()
    assert case.state == "dispatched" and case.unit == west
    assert "该路段由西街道保洁" in page.inner_text("#case-override")
    assert page.is_visible("#case-routing")
    page.screenshot(path=str(screenshots / "desk-dispatch-done.png"), full_page=True)
    # the unit's home: the newly dispatched case waits first, in its own stage queue
    handler = sign_in("handler_west")
    queues = handler.evaluate(
        "() => Array.from(document.querySelectorAll('.queues > section.queue')).map(s => s.id)"
    )
    assert queues[:2] == ["queue-sign", "queue-handle"]
    assert handler.locator(f"#queue-sign .case-row[data-case='{case.pk}']").count() == 1
    assert handler.inner_text("#stage-sign .count") == "1"
    handler.screenshot(path=str(screenshots / "desk-handler-home.png"), full_page=True)


def test_filing_desk_reloads_the_standards_of_the_chosen_category(
    sign_in, live_server, loop, screenshots
):
    a = loop["actors"]
    case = _report(loop)
    actions.accept_case(a["acceptor"], case)
    other = SmallClass.objects.filter(standards__is_active=True).exclude(pk=case.small_class_id)
    other = other.order_by("full_code").first()
    page = sign_in("shift_leader")
    page.goto(f"{live_server.url}/console/cases/{case.pk}/")
    page.click("#action-file summary")
    assert page.inner_text("#file-standard-detail").strip()  # the default's condition and limit
    codes = page.evaluate(
        "() => Array.from(document.querySelectorAll('#file-standard option')).map(o => o.value)"
    )
    assert codes[0] == "" and all(c.startswith("E0102") for c in codes[1:])
    page.select_option("#id_file-category", str(other.pk))
    page.wait_for_function(
        "(code) => { const o = document.querySelectorAll('#file-standard option');"
        " return o.length > 1 && o[1].value.startsWith(code); }",
        arg=other.full_code,
    )
    page.select_option("#file-standard", index=1)
    assert page.inner_text("#file-standard-detail").strip()
    page.screenshot(path=str(screenshots / "desk-filing.png"), full_page=True)
    with page.expect_navigation():
        page.click("#submit-file")
    case.refresh_from_db()
    assert case.small_class == other and case.standard.code.startswith(other.full_code)
