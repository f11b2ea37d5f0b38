"""An overdue case goes to the unit's leader, then to the supervision office."""

import pytest

from civicloop.cases.models import LoopConfig
from civicloop.cases.timekeeping import run_pass, unit_leaders
from civicloop.org.models import Membership, Person, Role

from .test_worker_support import (
    dispatched,
    email_channel,
    hours,
    messages,
    minutes,
    pass_time,
    worker_events,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_escalation_to_the_unit_leader_then_to_the_supervision_office(loop):
    west, office = loop["offices"]["west"], loop["supervision"]
    assert LoopConfig.get().supervision_office == office  # 区督查局, set by the fixture
    assert LoopConfig.get().escalate_after_hours == 8
    email_channel(west, "west@example.cn")
    email_channel(office, "dc@example.cn")
    now = pass_time()
    case = dispatched(loop, now - hours(6) - minutes(30))  # overdue by 30 minutes
    before = len(messages(west))

    report = run_pass(now)
    assert (report.red, report.overdue, report.escalated_to_leader) == (1, 1, 1)
    assert report.escalated_to_office == 0
    case.refresh_from_db()
    assert case.is_overdue and case.escalation_level == 2
    [to_leader] = messages(west)[before:]
    assert "leader_west" in to_leader.subject and "leader_west" in to_leader.body
    assert case.number in to_leader.subject and "西街道办事处" in to_leader.body
    assert messages(office) == []
    [event] = worker_events(case, "escalate")
    assert event.data["to"] == "unit_leader" and event.data["leaders"] == ["leader_west"]
    assert event.role == "system" and not event.is_public and "leader_west" in event.note

    # Not yet 8 hours overdue: nothing more.
    assert run_pass(now + hours(7)).changes == 0
    assert messages(office) == []

    later = now + hours(7) + minutes(31)  # overdue by 8 h 1 min
    report = run_pass(later)
    assert (report.escalated_to_leader, report.escalated_to_office) == (0, 1)
    case.refresh_from_db()
    assert case.escalation_level == 3 and case.state == "dispatched"
    [to_office] = messages(office)
    assert case.number in to_office.subject and "西街道办事处" in to_office.subject
    assert "8 hours" in to_office.body
    leader_event, office_event = worker_events(case, "escalate")
    assert office_event.at == later and office_event.data["to"] == "supervision_office"
    assert office_event.data["unit"] == office.pk and office_event.unit == west

    assert run_pass(later + hours(24)).changes == 0
    assert len(messages(office)) == 1 and len(messages(west)) == before + 1


def test_a_long_overdue_case_goes_to_both_in_one_pass(loop):
    email_channel(loop["supervision"])
    now = pass_time()
    case = dispatched(loop, now - hours(6 + 9))
    report = run_pass(now)
    assert (report.escalated_to_leader, report.escalated_to_office) == (1, 1)
    assert [e.data["to"] for e in worker_events(case, "escalate")] == [
        "unit_leader", "supervision_office",
    ]  # fmt: skip
    assert len(messages(loop["supervision"])) == 1


def test_without_a_supervision_office_the_case_stays_with_the_leader(loop):
    config = LoopConfig.get()
    config.supervision_office = None
    config.save()
    now = pass_time()
    case = dispatched(loop, now - hours(6 + 20))
    report = run_pass(now)
    assert (report.escalated_to_leader, report.escalated_to_office) == (1, 0)
    assert run_pass(now + hours(100)).changes == 0
    case.refresh_from_db()
    assert case.escalation_level == 2


def test_a_unit_without_leader_is_addressed_as_such(loop):
    email_channel(loop["cleaning"])
    now = pass_time()
    case = dispatched(loop, now - hours(7), point="west_point")
    # The cleaning company has no unit leader; send the case there instead.
    from civicloop.cases import actions

    a = loop["actors"]
    request = actions.request_return(a["handler_west"], case, reason="不属于本单位", at=now)
    actions.approve_return(a["dispatcher"], request, at=now)
    actions.dispatch_case(a["dispatcher"], case, unit=loop["cleaning"], reason="改派", at=now)
    run_pass(now + hours(6) + minutes(1))
    [message] = [m for m in messages(loop["cleaning"]) if m.subject.startswith("Overdue")]
    assert "the unit's leader" in message.subject


def test_leaders_are_the_active_unit_leaders_of_the_unit(loop):
    west = loop["offices"]["west"]
    assert unit_leaders(west.pk) == ["leader_west"]
    second = Person.objects.create(name="王主任")
    Membership.objects.create(person=second, unit=west, role=Role.UNIT_LEADER)
    gone = Person.objects.create(name="已离职", is_active=False)
    Membership.objects.create(person=gone, unit=west, role=Role.UNIT_LEADER)
    assert unit_leaders(west.pk) == ["leader_west", "王主任"]
    assert unit_leaders(loop["cleaning"].pk) == []
    assert unit_leaders(None) == []
