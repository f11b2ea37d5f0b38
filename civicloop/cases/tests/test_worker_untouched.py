"""A suspended, closed or cancelled case is never touched by the worker."""

import pytest

from civicloop.cases import actions
from civicloop.cases.models import Case, CaseEvent
from civicloop.cases.timekeeping import run_pass

from .test_worker_support import dispatched, email_channel, hours, messages, pass_time

pytestmark = pytest.mark.django_db


def _snapshot(case):
    case = Case.objects.get(pk=case.pk)
    return case.version, case.light, case.escalation_level, case.is_overdue, case.events.count()


def test_suspended_closed_and_cancelled_cases_are_never_touched(loop, photo):
    a = loop["actors"]
    email_channel(loop["offices"]["west"])
    email_channel(loop["supervision"])
    now = pass_time()
    start = now - hours(5)

    suspended = dispatched(loop, start)
    request = actions.request_suspension(a["handler_west"], suspended, reason="待采购井盖",
                                         at=start + hours(1))  # fmt: skip
    actions.approve_suspension(a["dispatcher"], request, at=start + hours(1))

    closed = dispatched(loop, start)
    actions.sign_case(a["handler_west"], closed, at=start + hours(1))
    actions.submit_result(a["handler_west"], closed, photos=[photo()], at=start + hours(2))
    actions.check_case(a["inspector"], closed, passed=True, at=start + hours(2))
    actions.close_case(a["shift_leader"], closed, at=start + hours(2))

    lon, lat = loop["west_point"]
    cancelled = actions.report_case(a["inspector"], source="inspector", category="C0101",
                                    lon=lon, lat=lat, at=start)  # fmt: skip
    actions.refuse_case(a["acceptor"], cancelled, reason="重复上报", at=start)

    cases = [Case.objects.get(pk=c.pk) for c in (suspended, closed, cancelled)]
    assert [c.state for c in cases] == ["suspended", "closed", "cancelled"]
    before = [_snapshot(c) for c in cases]
    queued = len(messages())

    for at in (now, now + hours(2), now + hours(30), now + hours(1000)):
        report = run_pass(at)
        assert report.changes == 0 and report.skipped == 0 and report.conflicts == 0

    assert [_snapshot(c) for c in cases] == before
    assert not CaseEvent.objects.filter(action__in=["light", "remind", "escalate"]).exists()
    assert len(messages()) == queued


def test_a_result_submitted_late_is_not_escalated(loop, photo):
    """Overdue, but no longer with the unit: pending check is the centre's stage."""
    a = loop["actors"]
    now = pass_time()
    case = dispatched(loop, now - hours(8))
    actions.sign_case(a["handler_west"], case, at=now - hours(7))
    actions.submit_result(a["handler_west"], case, photos=[photo()], at=now - hours(1))
    case.refresh_from_db()
    assert case.state == "pending_check" and case.is_overdue and case.escalation_level == 0
    run_pass(case.due_at + hours(50))
    case.refresh_from_db()
    assert case.light == "red" and case.escalation_level == 0
    assert {e.action for e in case.events.filter(role="system")} == {"light"}
