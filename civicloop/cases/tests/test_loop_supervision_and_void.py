"""Supervision orders (an overlay with a reply) and voiding with approval."""

import pytest

from civicloop.cases import actions
from civicloop.cases.models import CancelReason, State, SupervisionOrder
from civicloop.notify.models import Channel, OutboxMessage

from .loop_helpers import advance, report

pytestmark = pytest.mark.django_db


def test_a_supervision_order_is_answered_once(loop):
    Channel.objects.create(unit=loop["offices"]["west"], kind="email", target="w@example.org")
    case = advance(loop, report(loop), State.IN_PROGRESS)
    a = loop["actors"]
    with pytest.raises(actions.Invalid):
        actions.issue_supervision(a["supervisor"], case, opinion=" ")
    with pytest.raises(actions.Invalid, match="more than zero"):
        actions.issue_supervision(a["supervisor"], case, opinion="快", reply_hours=0)
    order = actions.issue_supervision(a["supervisor"], case, opinion="群众反映强烈，限期处置")
    assert order.unit == loop["offices"]["west"] and order.reply_due > order.issued_at
    case.refresh_from_db()
    assert case.state == State.IN_PROGRESS and case.supervision_count == 1
    assert OutboxMessage.objects.filter(subject__contains="Supervision").exists()
    with pytest.raises(actions.Forbidden):
        actions.reply_supervision(a["handler_east"], order, reply="x")
    order = actions.reply_supervision(a["leader_west"], order, reply="已安排人员今日处置")
    assert order.status == SupervisionOrder.Status.REPLIED
    with pytest.raises(actions.InvalidState, match="already been answered"):
        actions.reply_supervision(a["handler_west"], order, reply="again")
    assert [e.action for e in case.events.all()][-2:] == ["supervise", "reply_supervision"]


def test_supervision_needs_a_handling_unit(loop):
    case = report(loop)
    with pytest.raises(actions.InvalidState, match="no handling unit"):
        actions.issue_supervision(loop["actors"]["supervisor"], case, opinion="x")


def test_void_with_approval(loop):
    case = advance(loop, report(loop), State.PENDING_DISPATCH)
    a = loop["actors"]
    request = actions.request_void(a["dispatcher"], case, reason="测试数据")
    with pytest.raises(actions.InvalidState, match="already waiting"):
        actions.request_void(a["acceptor"], case, reason="again")
    case = actions.approve_void(a["shift_leader"], request)
    assert case.state == State.CANCELLED and case.cancel_reason == CancelReason.VOID
    with pytest.raises(actions.InvalidState, match="already been decided"):
        actions.approve_void(a["shift_leader"], request)
    with pytest.raises(actions.InvalidState):
        actions.dispatch_case(a["dispatcher"], case)


def test_refusals_record_their_reason(loop):
    a = loop["actors"]
    case = actions.refuse_case(a["acceptor"], report(loop), reason="重复来电")
    assert case.cancel_reason == CancelReason.NOT_ACCEPTED
    filed = advance(loop, report(loop), State.PENDING_FILING)
    with pytest.raises(actions.Forbidden):
        actions.refuse_case(
            a["acceptor"], filed, reason="x"
        )  # only the shift leader refuses filing
    case = actions.refuse_case(a["shift_leader"], filed, reason="不符合立案标准")
    assert case.cancel_reason == CancelReason.NOT_FILED
    assert case.events.last().note == "不符合立案标准"
