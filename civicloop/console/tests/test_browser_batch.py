"""Batch dispatch on the case list in headless Chromium: tick all, choose the unit,
apply; the result page lists the dispatched cases and the refused one with its reason."""

import pytest

from civicloop.cases import actions
from civicloop.cases.models import Case, State

from .conftest import make_cases

pytestmark = pytest.mark.django_db(transaction=True)


def test_batch_dispatch_from_the_list(sign_in, live_server, loop, screenshots):
    a = loop["actors"]
    cases = make_cases(loop, 3)
    for case in cases[:2]:
        actions.accept_case(a["acceptor"], case)
        actions.file_case(a["shift_leader"], case)
    page = sign_in("dispatcher")
    page.goto(f"{live_server.url}/console/cases/")
    # the batch form shows only the field the chosen action needs (console/batch.js)
    page.wait_for_function(
        "() => !document.querySelector(\".batch-field[data-for='dispatch']\").hidden"
        " && document.querySelector(\".batch-field[data-for='merge']\").hidden"
    )
    assert page.get_attribute("#batch-submit", "accesskey") == "b"
    page.check("#tick-all")  # data-check-all ticks every row (shared/page.js)
    page.wait_for_function(
        "() => [...document.querySelectorAll(\"input[name='cases']\")].every(b => b.checked)"
    )
    page.select_option("#batch-form select[name='unit']", str(loop["cleaning"].pk))
    page.fill("#batch-form input[name='note']", "批量派遣")
    page.screenshot(path=str(screenshots / "case_list_batch.png"), full_page=True)
    with page.expect_navigation():
        page.click("#batch-submit")
    page.wait_for_selector("#batch-summary")
    assert "成功 2 件，被拒绝 1 件" in page.inner_text("#batch-summary")
    refused = page.locator(f"tr.outcome.refused[data-case='{cases[2].pk}']")
    assert "待受理" in refused.inner_text()  # the reason names the state, in Chinese
    assert page.locator("tr.outcome.ok").count() == 2
    page.screenshot(path=str(screenshots / "case_list_batch_result.png"), full_page=True)
    states = dict(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("pk", "state"))
    assert [states[c.pk] for c in cases] == [State.DISPATCHED, State.DISPATCHED, State.REPORTED]
    with page.expect_navigation():
        page.click("#batch-back")
    assert page.url.endswith("/console/cases/")


def test_merge_into_a_candidate_and_access_keys(sign_in, live_server, loop, screenshots):
    first, second = make_cases(loop, 2)
    page = sign_in("shift_leader")
    page.goto(f"{live_server.url}/console/cases/{second.pk}/")
    # The merge form carries its access key and the visible hint. (Keys pressed through
    # Playwright do not reach Chromium's access-key handling, so the form is opened by a click.)
    assert page.get_attribute("#action-merge summary", "accesskey") == "m"
    assert page.inner_text("#action-merge summary kbd") == "M"
    page.click("#action-merge summary")
    page.wait_for_function("() => document.getElementById('action-merge').open")
    page.wait_for_function(
        "() => document.querySelectorAll(\"#form-merge input[name='merge-target']\").length === 1"
    )
    page.screenshot(path=str(screenshots / "case_merge_candidates.png"), full_page=True)
    with page.expect_navigation():
        page.click(f"#merge-into-{first.pk}")
    page.wait_for_load_state("networkidle")
    second.refresh_from_db()
    assert second.state == State.CANCELLED and second.duplicate_of_id == first.pk
    assert first.number in page.inner_text(".facts")  # "merged into" links the target
