"""Two people acting on one case at once: exactly one wins, the other gets a conflict."""

import threading

import pytest
from django.db import connection

from civicloop.cases import actions
from civicloop.cases.models import Case, CaseEvent, DailySequence, State

from .loop_helpers import advance, report


@pytest.mark.django_db
def test_a_stale_version_is_a_conflict(loop):
    case = advance(loop, report(loop), State.PENDING_DISPATCH)
    seen = case.version
    dispatcher = loop["actors"]["dispatcher"]
    actions.dispatch_case(dispatcher, case.pk, version=seen)
    with pytest.raises(actions.Conflict, match="changed this case"):
        actions.dispatch_case(dispatcher, case.pk, version=seen, unit=loop["cleaning"])
    case.refresh_from_db()
    assert case.unit == loop["offices"]["west"]
    assert case.events.filter(action="dispatch").count() == 1


@pytest.mark.django_db
def test_compare_and_set_refuses_a_stale_row(loop):
    case = advance(loop, report(loop), State.PENDING_DISPATCH)
    Case.objects.filter(pk=case.pk).update(version=case.version + 1)  # someone else wrote
    with pytest.raises(actions.Conflict):
        actions.write(case, loop["actors"]["dispatcher"], "dispatcher", "dispatch", case.updated_at)


def _race(target, args_list):
    barrier = threading.Barrier(len(args_list))
    results = []

    def run(args):
        barrier.wait()
        try:
            results.append(("ok", target(*args)))
        except actions.ActionError as error:
            results.append((type(error).__name__, error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(args,)) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_dispatches(loop):
    if connection.vendor != "postgresql":
        pytest.skip("threads writing at once need a server database; SQLite serialises writers")
    case = advance(loop, report(loop), State.PENDING_DISPATCH)
    dispatcher = loop["actors"]["dispatcher"]
    units = [loop["offices"]["west"], loop["cleaning"]]
    results = _race(
        lambda unit: actions.dispatch_case(
            dispatcher, case.pk, unit=unit, version=case.version, reason="改派"
        ),  # fmt: skip
        [(unit,) for unit in units],
    )
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["Conflict", "ok"]
    case.refresh_from_db()
    assert case.state == State.DISPATCHED
    assert CaseEvent.objects.filter(case=case, action="dispatch").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_intake_gets_unique_numbers(loop):
    if connection.vendor != "postgresql":
        pytest.skip("threads writing at once need a server database; SQLite serialises writers")
    results = _race(lambda: report(loop, category="E0101"), [()] * 8)
    assert [kind for kind, _ in results] == ["ok"] * 8
    numbers = {case.number for _, case in results}
    assert len(numbers) == 8
    assert DailySequence.objects.get().value == 8
