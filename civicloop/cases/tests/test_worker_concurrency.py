"""Several workers at once change each case once and queue each message once."""

import collections
import threading

import pytest
from django.db import connection

from civicloop.cases import timekeeping
from civicloop.cases.models import Case, CaseEvent
from civicloop.cases.timekeeping import advance_cases, run_pass
from civicloop.notify.models import OutboxMessage

from .test_worker_support import dispatched, email_channel, hours, minutes, pass_time

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads sharing a database: PostgreSQL only"
)

#: Ages (hours since dispatch) of a mix of cases at the pass: green, yellow
#: (reminded), overdue (escalated to the leader), long overdue (also the office).
AGES = (1, 5, 5.5, 7, 16)
EXPECTED = {"light": 4, "remind": 2, "escalate": 3}
WRITES = sum(EXPECTED.values())


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _cases(loop, now, copies=1):
    email_channel(loop["offices"]["west"])
    email_channel(loop["supervision"])
    return [dispatched(loop, now - hours(age)) for age in AGES for _ in range(copies)]


def _worker_history():
    events = CaseEvent.objects.filter(action__in=["light", "remind", "escalate"])
    return collections.Counter(events.values_list("case_id", "action", "data__to"))


def _counts():
    return collections.Counter(
        CaseEvent.objects.filter(action__in=["light", "remind", "escalate"]).values_list(
            "action", flat=True
        )
    )


@pytest.mark.django_db
def test_the_same_pass_twice_changes_each_case_once(loop):
    now = pass_time()
    _cases(loop, now)
    first = run_pass(now)
    assert first.changes == WRITES and first.conflicts == 0
    versions = list(Case.objects.order_by("pk").values_list("version", flat=True))
    queued = OutboxMessage.objects.count()

    second = run_pass(now)
    assert second.changes == 0 and second.queued == 0
    assert list(Case.objects.order_by("pk").values_list("version", flat=True)) == versions
    assert OutboxMessage.objects.count() == queued
    assert _counts() == EXPECTED
    assert max(_worker_history().values()) == 1


@pytest.mark.django_db
def test_a_case_changed_meanwhile_is_a_conflict_left_for_the_next_pass(loop, monkeypatch):
    """The claim read a version that is no longer current: skipped, not fatal."""
    now = pass_time()
    cases = [dispatched(loop, now - hours(5)) for _ in range(3)]
    real_claim = timekeeping._claim
    stale = {cases[1].pk}

    def claim_then_someone_acts(pk, condition):
        case = real_claim(pk, condition)
        if case is not None and pk in stale:
            case.version -= 1  # what the worker read is older than the row
        return case

    monkeypatch.setattr(timekeeping, "_claim", claim_then_someone_acts)
    report = advance_cases(now)
    assert (report.yellow, report.conflicts) == (2, 1)
    lights = dict(Case.objects.values_list("pk", "light"))
    assert lights == {cases[0].pk: "yellow", cases[1].pk: "green", cases[2].pk: "yellow"}
    assert not CaseEvent.objects.filter(case=cases[1], action="light").exists()

    stale.clear()
    report = advance_cases(now)
    assert (report.yellow, report.conflicts) == (1, 0)
    assert set(Case.objects.values_list("light", flat=True)) == {"yellow"}


@pytest.mark.django_db
def test_a_faulty_case_is_rolled_back_and_does_not_stop_the_others(loop, monkeypatch, caplog):
    email_channel(loop["offices"]["west"])
    now = pass_time()
    cases = [dispatched(loop, now - hours(5)) for _ in range(3)]
    real_remind = timekeeping._remind

    def remind_but_fail_on_the_second(case, *args):
        real_remind(case, *args)  # writes, then fails: all of it is rolled back
        if case.pk == cases[1].pk:
            raise ValueError("bad data")

    monkeypatch.setattr(timekeeping, "_steps", _patched_steps(remind_but_fail_on_the_second))
    report = run_pass(now)
    assert (report.yellow, report.reminded, report.errors) == (3, 3, 1)
    assert "1 failed (see the log)" in str(report) and "bad data" in caplog.text
    levels = dict(Case.objects.values_list("pk", "escalation_level"))
    assert levels == {cases[0].pk: 1, cases[1].pk: 0, cases[2].pk: 1}
    assert not CaseEvent.objects.filter(case=cases[1], action="remind").exists()
    reminded = OutboxMessage.objects.filter(dedupe_key__contains=":remind:")
    assert sorted(m.dedupe_key.split(":")[1] for m in reminded) == sorted(
        [str(cases[0].pk), str(cases[2].pk)]
    )


def _patched_steps(remind):
    real_steps = timekeeping._steps

    def steps(now, config):
        return [(n, q, k, remind if n == "remind" else f) for n, q, k, f in real_steps(now, config)]

    return steps


@pytest.mark.django_db
def test_a_worker_stopped_between_cases_leaves_the_rest_to_the_next_pass(loop):
    now = pass_time()
    _cases(loop, now)
    asked = []

    def stop_after_three():
        asked.append(1)
        return len(asked) > 3

    report = run_pass(now, should_stop=stop_after_three)
    assert report.stopped and report.changes == 3 and report.delivery is None
    rest = run_pass(now)
    assert not rest.stopped and report.changes + rest.changes == WRITES
    assert _counts() == EXPECTED and max(_worker_history().values()) == 1


@pytest.mark.django_db
def test_small_batches_reach_every_case(loop):
    now = pass_time()
    _cases(loop, now, copies=3)
    report = run_pass(now, batch_size=2)
    assert report.changes == WRITES * 3
    assert _counts() == {k: v * 3 for k, v in EXPECTED.items()}


def _in_thread(target, results, errors):
    def run():
        try:
            results.append(target())
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_workers_in_parallel_threads_change_each_case_once(loop):
    now = pass_time()
    _cases(loop, now, copies=6)
    queued_before = OutboxMessage.objects.count()
    start = threading.Barrier(3)
    results, errors = [], []

    def worker():
        start.wait(timeout=30)
        return run_pass(now, batch_size=4)

    threads = [_in_thread(worker, results, errors) for _ in range(3)]
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and len(results) == 3
    assert sum(r.changes for r in results) == WRITES * 6
    assert _counts() == {k: v * 6 for k, v in EXPECTED.items()}
    assert max(_worker_history().values()) == 1
    # 12 reminders and 12 escalations to the leader go to the west office's
    # channel, 6 to the supervision office's: each queued and sent once.
    new = OutboxMessage.objects.count() - queued_before
    assert new == sum(r.queued for r in results) == 12 + 12 + 6
    assert not OutboxMessage.objects.filter(state="pending").exists()
    # Nothing is left for a further pass.
    assert run_pass(now + minutes(1)).changes == 0
