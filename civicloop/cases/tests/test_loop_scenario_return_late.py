"""Returns: before the deadline, and after it (which counts against the unit)."""

import datetime

import pytest
from django.utils import timezone

from civicloop.cases import actions
from civicloop.cases.models import CaseEvent, CaseRequest, State

from .loop_helpers import advance, pending, report

pytestmark = pytest.mark.django_db
TZ = timezone.get_fixed_timezone(8 * 60)
T0 = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=TZ)  # a Monday


def test_return_after_the_deadline(loop):
    case = advance(loop, report(loop, category="E0101", at=T0), State.IN_PROGRESS, at=T0)
    assert case.unit == loop["offices"]["west"]
    assert case.handling_deadline < T0 + datetime.timedelta(days=2)
    late = T0 + datetime.timedelta(days=2)
    a = loop["actors"]
    with pytest.raises(actions.Invalid):
        actions.request_return(a["handler_west"], case, reason="  ")
    with pytest.raises(actions.Forbidden):
        actions.request_return(a["handler_east"], case, reason="不归我们")
    request = actions.request_return(a["handler_west"], case, reason="不属于本单位职责", at=late)
    assert request.after_deadline and request.unit == loop["offices"]["west"]
    with pytest.raises(actions.InvalidState, match="already waiting"):
        actions.request_return(a["handler_west"], case, reason="again", at=late)
    with pytest.raises(actions.Forbidden):
        actions.approve_return(a["handler_west"], request)
    case = actions.approve_return(a["dispatcher"], request, at=late)
    assert case.state == State.PENDING_DISPATCH and case.unit is None
    assert case.return_count == 1 and case.handling_deadline is None
    event = case.events.get(action=CaseEvent.Action.APPROVE_RETURN)
    assert event.unit == loop["offices"]["west"] and event.data["after_deadline"] is True
    with pytest.raises(actions.InvalidState, match="already been decided"):
        actions.approve_return(a["dispatcher"], request, at=late)

    # Re-dispatched to the right unit with a fresh clock.
    case = actions.dispatch_case(
        a["dispatcher"], case, unit=loop["cleaning"], reason="改派", at=late
    )
    assert case.state == State.DISPATCHED and case.handling_deadline > late


def test_return_before_the_deadline_and_a_rejected_one(loop):
    case = advance(loop, report(loop, category="E0101", at=T0), State.DISPATCHED, at=T0)
    a = loop["actors"]
    request = actions.request_return(a["handler_west"], case, reason="地址有误",
                                     at=T0 + datetime.timedelta(minutes=30))  # fmt: skip
    assert not request.after_deadline
    case = actions.reject_return(a["dispatcher"], request, note="请处置")
    assert case.state == State.DISPATCHED
    assert CaseRequest.objects.get(pk=request.pk).status == CaseRequest.Status.REJECTED
    second = actions.request_return(a["handler_west"], case, reason="确实不是")
    assert pending(case, CaseRequest.Kind.RETURN) == second
