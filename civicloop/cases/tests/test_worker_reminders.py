"""Near the deadline the handling unit is reminded, once."""

import pytest
from django.core import mail

from civicloop.cases.models import LoopConfig
from civicloop.cases.timekeeping import run_pass
from civicloop.notify.models import OutboxMessage

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


def test_a_reminder_is_queued_once_even_if_the_pass_runs_twice(loop):
    west = loop["offices"]["west"]
    email_channel(west, "west@example.cn")
    email_channel(west, "west-2@example.cn")
    now = pass_time()
    case = dispatched(loop, now - hours(5))
    dispatch_messages = len(messages(west))

    first = run_pass(now)
    assert (first.yellow, first.reminded, first.queued) == (1, 1, 2)
    second = run_pass(now)
    assert second.changes == 0 and second.queued == 0
    third = run_pass(now + minutes(30))
    assert third.changes == 0

    case.refresh_from_db()
    assert case.escalation_level == 1 and case.light == "yellow"
    [remind] = worker_events(case, "remind")
    assert remind.at == now and remind.role == "system" and not remind.is_public
    assert remind.data["to"] == "unit" and remind.data["unit"] == west.pk
    reminders = messages(west)[dispatch_messages:]
    assert len(reminders) == 2  # one per channel of the unit
    assert {m.dedupe_key for m in reminders} == {remind.data["dedupe_key"]}
    assert all(m.state == OutboxMessage.State.SENT for m in reminders)
    assert reminders[0].subject.startswith(f"Reminder: case {case.number} is due at ")
    assert "测试路1号" in reminders[0].body and reminders[0].link == f"/console/cases/{case.pk}/"
    assert sum(case.number in m.subject and "Reminder" in m.subject for m in mail.outbox) == 2


def test_with_remind_before_minutes_the_reminder_comes_that_long_before(loop):
    config = LoopConfig.get()
    config.remind_before_minutes = 90
    config.save()
    now = pass_time()
    early = dispatched(loop, now - hours(4))  # due in 2 h: not yet
    near = dispatched(loop, now - hours(4.75))  # due in 75 min, still green
    report = run_pass(now)
    assert (report.reminded, report.yellow) == (1, 0)
    early.refresh_from_db()
    near.refresh_from_db()
    assert early.escalation_level == 0 and near.escalation_level == 1
    assert near.light == "green"
    assert run_pass(now + minutes(31)).reminded == 1  # the other one, once
    assert run_pass(now + minutes(45)).reminded == 0


def test_a_case_already_overdue_is_escalated_not_reminded(loop):
    now = pass_time()
    case = dispatched(loop, now - hours(6.5))
    report = run_pass(now)
    assert (report.reminded, report.escalated_to_leader) == (0, 1)
    assert [e.action for e in worker_events(case)] == ["light", "escalate"]


def test_an_extension_starts_a_new_reminder_cycle(loop):
    from civicloop.cases import actions

    a = loop["actors"]
    email_channel(loop["offices"]["west"])
    now = pass_time()
    case = dispatched(loop, now - hours(5))
    run_pass(now)
    request = actions.request_extension(a["handler_west"], case, hours=4, reason="缺少井盖备件",
                                        at=now + minutes(1))  # fmt: skip
    case = actions.approve_extension(a["dispatcher"], request, at=now + minutes(2))
    assert case.escalation_level == 0 and case.light == "green"
    assert run_pass(now + minutes(3)).changes == 0
    report = run_pass(case.yellow_at + minutes(1))
    assert (report.yellow, report.reminded) == (1, 1)
    first, second = worker_events(case, "remind")
    assert first.data["dedupe_key"] != second.data["dedupe_key"]
    keys = [m.dedupe_key for m in messages() if m.dedupe_key]
    assert keys == [first.data["dedupe_key"], second.data["dedupe_key"]]
