"""Inspector report through the fast lane to closure, with one failed check and rework."""

import datetime

import pytest
from django.utils import timezone

from civicloop.cases import actions
from civicloop.cases.models import CaseEvent, Light, State
from civicloop.notify.models import Channel, OutboxMessage

from .loop_helpers import report

pytestmark = pytest.mark.django_db
TZ = timezone.get_fixed_timezone(8 * 60)


def at(day, hour, minute=0):
    return datetime.datetime(2026, 6, day, hour, minute, tzinfo=TZ)


def test_fast_lane_to_closure_with_one_rework(loop, photo):
    loop["config"].fast_lane = True
    loop["config"].save()
    Channel.objects.create(unit=loop["cleaning"], kind="email", target="hw@example.org")
    a = loop["actors"]

    # Monday 1 June 2026, 09:00: exposed garbage (E0102) in area class A.
    case = report(loop, category="E0102", photos=[photo()], at=at(1, 9), description="路边垃圾")
    assert case.state == State.DISPATCHED
    assert case.fast_lane and case.unit == loop["cleaning"]
    assert case.area_class == "A" and case.standard.code == "E010201"
    # 4 working hours from 09:00: 09–12 and 14–15.
    assert case.handling_deadline == at(1, 15)
    assert case.light == Light.GREEN
    assert [e.action for e in case.events.all()] == ["report", "accept", "file", "dispatch"]
    assert {e.role for e in case.events.all()[1:]} == {"system"}
    assert OutboxMessage.objects.filter(channel__unit=loop["cleaning"]).count() == 1

    case = actions.sign_case(a["handler_clean"], case, at=at(1, 9, 20))
    case = actions.submit_result(a["handler_clean"], case, photos=[photo()], at=at(1, 10))
    assert case.state == State.PENDING_CHECK and case.handled_on_time is True

    # The inspector finds it still dirty: rework for the same unit, a fresh limit.
    with pytest.raises(actions.Invalid):
        actions.check_case(a["inspector"], case, passed=False, at=at(1, 10, 20))  # no reason
    case = actions.check_case(a["inspector"], case, passed=False, note="仍有垃圾", at=at(1, 10, 20))
    assert case.state == State.IN_PROGRESS and case.unit == loop["cleaning"]
    assert case.rework_count == 1
    assert case.handling_deadline == at(1, 16, 20)

    case = actions.submit_result(a["handler_clean"], case, photos=[photo()], at=at(1, 11))
    case = actions.check_case(a["inspector"], case, passed=True, at=at(1, 11, 10))
    case = actions.close_case(a["shift_leader"], case, at=at(1, 11, 15))
    assert case.state == State.CLOSED and case.closed_at == at(1, 11, 15)
    close = case.events.get(action=CaseEvent.Action.CLOSE)
    assert close.data["result"] == "on_time"
    assert [e.action for e in case.events.all()] == [
        "report", "accept", "file", "dispatch", "sign", "submit_result", "check",
        "submit_result", "check", "close",
    ]  # fmt: skip
    assert [(e.from_state, e.to_state) for e in case.events.filter(action="check")] == [
        (State.PENDING_CHECK, State.IN_PROGRESS),
        (State.PENDING_CHECK, State.PENDING_CLOSURE),
    ]
    assert case.evidence.filter(kind="after").count() == 2
    assert case.version == len(case.events.all()) - 1


def test_no_fast_lane_when_routing_is_ambiguous(loop, photo):
    from civicloop.org.models import ResponsibilityRule

    loop["config"].fast_lane = True
    loop["config"].save()
    ResponsibilityRule.objects.create(category_code="E0102", unit=loop["offices"]["east"])
    case = report(loop, category="E0102", at=at(1, 9))
    assert case.routing_ambiguous
    assert case.state == State.REPORTED


def test_no_fast_lane_for_untrusted_sources(loop):
    loop["config"].fast_lane = True
    loop["config"].save()
    case = report(loop, category="E0102", source="hotline", by="acceptor", at=at(1, 9))
    assert case.state == State.REPORTED and not case.fast_lane
