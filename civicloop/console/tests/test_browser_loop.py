"""The whole loop walked through the console pages in headless Chromium.

A hotline call registered by the acceptor → sent for verification → verified
by the inspector → filed → dispatched → signed and handled with an
after-photo upload by the cleaning company → the inspector's check FAILS →
rework → handled again → the check passes → closed by the shift leader.
"""

import pytest

from civicloop.cases.models import Case, CaseEvent, SmallClass

pytestmark = pytest.mark.django_db(transaction=True)


def _photo_file(photo, name, color):
    return {"name": name, "mimeType": "image/jpeg", "buffer": photo(color=color)}


def _act(page, name, fill=None):
    """Open an action's form on the case page, fill it, submit, wait for the page."""
    page.click(f"#action-{name} summary")
    if fill:
        fill(page)
    with page.expect_navigation():
        page.click(f"#submit-{name}")
    page.wait_for_load_state("networkidle")


def _state(case_id):
    return Case.objects.get(pk=case_id).state


def test_hotline_call_to_closure_with_a_failed_check(
    sign_in, live_server, loop, photo, screenshots
):
    base = live_server.url
    category = SmallClass.objects.get(full_code="E0102")
    lon, lat = loop["west_point"]

    # The acceptor registers a hotline call.
    acceptor = sign_in("acceptor")
    acceptor.goto(f"{base}/console/hotline/")
    acceptor.select_option("#id_category", str(category.pk))
    acceptor.fill("#id_lon", str(lon))
    acceptor.fill("#id_lat", str(lat))
    acceptor.fill("#id_address", "西街 12 号门口")
    acceptor.fill("#id_description", "路边堆了很多生活垃圾")
    acceptor.fill("#id_reporter_name", "王先生")
    acceptor.fill("#id_reporter_phone", "13800000000")
    with acceptor.expect_navigation():
        acceptor.click("#report-submit")
    case = Case.objects.get()
    assert case.source == "hotline" and case.state == "reported"
    assert acceptor.url.endswith(f"/console/cases/{case.pk}/")
    assert acceptor.inner_text("#nav-home") == "我的工作"  # the Chinese UI

    # Hotline reports are verified on site first.
    _act(acceptor, "send_for_verification")
    assert _state(case.pk) == "verifying"

    inspector = sign_in("inspector")
    assert inspector.locator(f"#queue-verify .case-row[data-case='{case.pk}']").count() == 1
    inspector.click(f"#queue-verify a[href='/console/cases/{case.pk}/']")
    inspector.wait_for_load_state("networkidle")
    _act(inspector, "verify", lambda p: p.check("#id_verify-true_report_0"))
    assert _state(case.pk) == "pending_filing"

    shift = sign_in("shift_leader")
    shift.goto(f"{base}/console/cases/{case.pk}/")
    _act(shift, "file")
    assert _state(case.pk) == "pending_dispatch"

    dispatcher = sign_in("dispatcher")
    assert dispatcher.locator(f"#queue-dispatch .case-row[data-case='{case.pk}']").count() == 1
    dispatcher.goto(f"{base}/console/cases/{case.pk}/")
    _act(
        dispatcher,
        "dispatch",
        lambda p: p.select_option("#id_dispatch-unit", str(loop["cleaning"].pk)),
    )
    case.refresh_from_db()
    assert case.state == "dispatched" and case.unit_id == loop["cleaning"].pk

    # The cleaning company signs and reports the result with an after-photo.
    handler = sign_in("handler_clean")
    assert handler.locator(f".case-row[data-case='{case.pk}']").count() == 1
    handler.goto(f"{base}/console/cases/{case.pk}/")
    _act(handler, "sign")
    assert _state(case.pk) == "in_progress"

    def result(p, color):
        p.fill("#id_submit_result-note", "已清运")
        p.set_input_files("#id_submit_result-photos", _photo_file(photo, "after.jpg", color))

    _act(handler, "submit_result", lambda p: result(p, (30, 160, 60)))
    assert _state(case.pk) == "pending_check"

    # The inspector's check fails: back to the same unit for rework.
    inspector.goto(f"{base}/console/cases/{case.pk}/")

    def fail(p):
        p.check("#id_check-passed_1")
        p.fill("#id_check-note", "垃圾没有清理干净")

    _act(inspector, "check", fail)
    case.refresh_from_db()
    assert case.state == "in_progress" and case.rework_count == 1
    assert inspector.locator("#timeline .ev-check").count() == 1

    handler.goto(f"{base}/console/cases/{case.pk}/")
    _act(handler, "submit_result", lambda p: result(p, (20, 120, 200)))
    assert _state(case.pk) == "pending_check"

    inspector.goto(f"{base}/console/cases/{case.pk}/")
    _act(inspector, "check", lambda p: p.check("#id_check-passed_0"))
    assert _state(case.pk) == "pending_closure"

    shift.goto(f"{base}/console/")
    assert shift.locator(f"#queue-close .case-row[data-case='{case.pk}']").count() == 1
    shift.goto(f"{base}/console/cases/{case.pk}/")
    _act(shift, "close")
    assert _state(case.pk) == "closed"

    # The page shows the whole story and the photos (served through the scoped view).
    shift.reload()
    shift.wait_for_load_state("networkidle")
    actions = shift.eval_on_selector_all("#timeline .ev", "els => els.map(e => e.dataset.action)")
    assert actions == [
        "report", "send_for_verification", "verify", "file", "dispatch", "sign",
        "submit_result", "check", "submit_result", "check", "close",
    ]  # fmt: skip
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == actions
    images = shift.locator(".photo img")
    assert images.count() == 2
    assert shift.evaluate(
        "() => [...document.querySelectorAll('.photo img')].every(i => i.naturalWidth > 0)"
    )
    assert shift.locator("#no-actions").count() == 1
    shift.screenshot(path=str(screenshots / "case_detail.png"), full_page=True)
