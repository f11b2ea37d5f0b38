"""``manage.py worker``: one pass with ``--once``; SIGTERM finishes the current case."""

import io
import os
import signal
import threading

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from civicloop.cases import timekeeping
from civicloop.cases.models import Case, CaseEvent

from .test_worker_support import dispatched, email_channel, hours, minutes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "en"


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("worker", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_one_pass_with_once(loop):
    email_channel(loop["offices"]["west"], "west@example.cn")
    real_now = timezone.now()
    overdue = dispatched(loop, real_now - hours(7))
    yellow = dispatched(loop, real_now - hours(5) - minutes(30))
    green = dispatched(loop, real_now - hours(1))

    out, err = _run("--once")

    lines = out.strip().splitlines()
    assert len(lines) == 1 and " worker pass: " in lines[0]
    assert "1 turned yellow, 1 red, 1 overdue; 1 reminded; escalated 1 to unit leaders" in out
    assert "outbox: claimed 5, sent 5" in out  # 3 dispatches, 1 reminder, 1 escalation
    assert err == ""
    lights = dict(Case.objects.values_list("pk", "light"))
    assert lights == {overdue.pk: "red", yellow.pk: "yellow", green.pk: "green"}
    assert Case.objects.get(pk=overdue.pk).escalation_level == 2
    assert Case.objects.get(pk=yellow.pk).escalation_level == 1
    subjects = [m.subject for m in mail.outbox]
    assert sum(s.startswith("Overdue: case") for s in subjects) == 1
    assert sum(s.startswith("Reminder: case") for s in subjects) == 1

    out, _err = _run("--once")
    assert "0 turned yellow, 0 red, 0 overdue; 0 reminded" in out
    assert "outbox: claimed 0" in out


def test_the_pass_line_is_in_the_configured_language(loop, settings):
    """The worker speaks LANGUAGE_CODE (Chinese by default), whatever the caller's language."""
    settings.LANGUAGE_CODE = "zh-hans"
    out, _err = _run("--once")
    assert "领取 0 条，已发送 0 条" in out  # the outbox's part, from the notify catalogue


def test_bad_arguments_are_refused():
    with pytest.raises(CommandError):
        call_command("worker", "--once", "--batch-size", "0")
    with pytest.raises(CommandError):
        call_command("worker", "--once", "--interval", "-1")


def test_sigterm_finishes_the_current_case_and_exits(loop, monkeypatch):
    """The loop (no --once, an hour between passes) stops after the case it is on."""
    real_now = timezone.now()
    cases = [dispatched(loop, real_now - hours(7)) for _ in range(3)]
    real_apply = timekeeping._apply
    applied = []

    def apply_then_terminate(*args, **kwargs):
        real_apply(*args, **kwargs)
        applied.append(args[0])
        if len(applied) == 1:
            os.kill(os.getpid(), signal.SIGTERM)  # as `kill <pid>` would

    monkeypatch.setattr(timekeeping, "_apply", apply_then_terminate)
    before = signal.getsignal(signal.SIGTERM)
    out, _err = _run("--interval", "3600")

    assert applied == [min(c.pk for c in cases)]
    assert "stopped before the end of the pass" in out and out.rstrip().endswith("Worker stopped.")
    assert CaseEvent.objects.filter(action="light").count() == 1
    assert signal.getsignal(signal.SIGTERM) is before  # handlers restored

    monkeypatch.setattr(timekeeping, "_apply", real_apply)
    _run("--once")  # the next worker does the rest
    assert set(Case.objects.values_list("light", flat=True)) == {"red"}
    assert CaseEvent.objects.filter(action="light").count() == 3
    assert CaseEvent.objects.filter(action="escalate").count() == 3


def test_the_loop_survives_a_failed_pass_and_waits_between_passes(monkeypatch, caplog):
    from civicloop.cases.management.commands import worker
    from civicloop.cases.timekeeping import PassReport

    calls, waits = [], []

    def flaky_pass(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGTERM)
        return PassReport()

    class Pause(threading.Event):
        """The stop event, with a wait between passes that returns at once."""

        def wait(self, timeout=None):
            waits.append(timeout)
            return self.is_set()

    monkeypatch.setattr(worker, "run_pass", flaky_pass)
    monkeypatch.setattr(worker.Command, "stop_event_class", Pause)
    out, _err = _run("--interval", "12")
    assert len(calls) == 3 and waits == [12, 12]
    assert "database went away" in caplog.text
    assert out.count("worker pass:") == 2 and out.rstrip().endswith("Worker stopped.")
