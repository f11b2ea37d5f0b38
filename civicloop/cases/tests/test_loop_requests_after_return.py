"""A returned case leaves its unit's pending requests behind; extensions grant at most the ask."""

import pytest

from civicloop.cases import actions
from civicloop.cases.models import CaseRequest, State

from .loop_helpers import advance, report

pytestmark = pytest.mark.django_db


def test_an_extension_pending_at_a_return_lapses(loop):
    a = loop["actors"]
    case = advance(loop, report(loop, category="E0101"), State.IN_PROGRESS)
    assert case.unit == loop["offices"]["west"]
    extension = actions.request_extension(a["handler_west"], case, hours=8, reason="需要吊车")
    returned = actions.request_return(a["handler_west"], case, reason="不属于本单位")
    case = actions.approve_return(a["dispatcher"], returned)
    extension.refresh_from_db()
    assert extension.status == CaseRequest.Status.REJECTED and extension.decided_at
    case = actions.dispatch_case(a["dispatcher"], case, unit=loop["cleaning"], reason="改派")
    deadline = case.handling_deadline
    with pytest.raises(actions.InvalidState, match="already been decided"):
        actions.approve_extension(a["dispatcher"], extension)
    case.refresh_from_db()
    assert case.handling_deadline == deadline and case.extension_count == 0


def test_an_extension_grants_at_most_the_hours_asked(loop):
    a = loop["actors"]
    case = advance(loop, report(loop, category="E0101"), State.IN_PROGRESS)
    request = actions.request_extension(a["handler_west"], case, hours=4, reason="需要吊车")
    with pytest.raises(actions.Invalid) as refused:
        actions.approve_extension(a["dispatcher"], request, hours=40)
    assert refused.value.field == "hours"
    request.refresh_from_db()
    assert request.status == CaseRequest.Status.PENDING  # nothing half written
    case = actions.approve_extension(a["dispatcher"], request, hours=2)
    assert case.extension_hours == 2


def test_requests_made_moot_do_not_wait_for_a_decision(loop, photo):
    a = loop["actors"]
    case = advance(loop, report(loop, category="E0101"), State.IN_PROGRESS)
    extension = actions.request_extension(a["handler_west"], case, hours=8, reason="需要吊车")
    actions.submit_result(a["handler_west"], case, photos=[photo()])
    extension.refresh_from_db()
    assert extension.status == CaseRequest.Status.REJECTED

    other = advance(loop, report(loop, category="E0101", where="east_point"), State.IN_PROGRESS)
    handler = "handler_east" if other.unit == loop["offices"]["east"] else "handler_clean"
    suspension = actions.request_suspension(a[handler], other, reason="施工")
    void = actions.request_void(a["dispatcher"], other, reason="测试数据")
    actions.approve_void(a["shift_leader"], void)
    suspension.refresh_from_db()
    assert suspension.status == CaseRequest.Status.REJECTED
    assert not CaseRequest.objects.filter(status=CaseRequest.Status.PENDING).exists()
