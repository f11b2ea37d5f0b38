"""Two workers claiming at once never get the same message."""

import threading

import pytest
from django.db import connection, transaction

from civicloop.notify import delivery
from civicloop.notify.delivery import claim_due, deliver_due
from civicloop.notify.models import Channel, OutboxMessage

from .conftest import T0, make_message, minutes

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks: PostgreSQL only"
)


@pytest.fixture
def channel(unit, robot):
    return Channel.objects.create(unit=unit, kind=Channel.Kind.WECOM, target=robot.url())


@pytest.mark.django_db
def test_a_claimed_message_is_not_claimed_again(channel):
    messages = [make_message(channel) for _ in range(5)]
    first = claim_due(now=T0, limit=3)
    second = claim_due(now=T0, limit=3)
    third = claim_due(now=T0, limit=3)
    assert [m.id for m in first] == [m.id for m in messages[:3]]
    assert [m.id for m in second] == [m.id for m in messages[3:]]
    assert third == []
    assert len({m.claim_token for m in first}) == 1
    assert {m.claim_token for m in first}.isdisjoint({m.claim_token for m in second})
    assert all(m.next_attempt_at == T0 + delivery.lease() for m in first + second)


@pytest.mark.django_db
def test_only_due_pending_messages_are_claimed(channel):
    due = make_message(channel)
    make_message(channel, next_attempt_at=T0 + minutes(1))
    make_message(channel, state=OutboxMessage.State.SENT)
    make_message(channel, state=OutboxMessage.State.FAILED)
    assert [m.id for m in claim_due(now=T0)] == [due.id]


@pytest.mark.django_db
def test_the_compare_and_set_loses_to_a_claim_made_in_between(channel):
    """What SQLite relies on: a row changed since it was read is not claimed."""
    make_message(channel)
    make_message(channel)
    read_by_a = delivery._candidates(T0, 10)  # worker A reads the due rows …
    claimed_by_b = claim_due(now=T0)  # … worker B claims them meanwhile …
    delivery._claim_compare_and_set(read_by_a, T0, "a" * 32)  # … then A tries
    assert len(claimed_by_b) == 2
    assert not OutboxMessage.objects.filter(claim_token="a" * 32).exists()


@pytest.mark.django_db
def test_the_compare_and_set_claims_what_is_unchanged(channel):
    make_message(channel)
    delivery._claim_compare_and_set(delivery._candidates(T0, 10), T0, "a" * 32)
    assert OutboxMessage.objects.get().claim_token == "a" * 32


def _in_thread(target, results, *args):
    def run():
        try:
            results.append(target(*args))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_workers_in_parallel_share_the_messages_without_overlap(channel):
    ids = {make_message(channel).id for _ in range(60)}
    start = threading.Barrier(4)
    results = []

    def worker():
        start.wait()
        return [m.id for m in claim_due(now=T0, limit=20)]

    threads = [_in_thread(worker, results) for _ in range(4)]
    for thread in threads:
        thread.join(timeout=30)
    claimed = [i for batch in results for i in batch]
    assert len(results) == 4
    assert len(claimed) == len(set(claimed)) == 60
    assert set(claimed) == ids


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_rows_locked_by_another_worker_are_skipped_not_waited_for(channel):
    locked = {make_message(channel).id for _ in range(2)}
    free = make_message(channel).id
    have_locks, release = threading.Event(), threading.Event()

    def holder():
        with transaction.atomic():
            list(OutboxMessage.objects.filter(id__in=locked).select_for_update())
            have_locks.set()
            release.wait(timeout=30)

    thread = _in_thread(holder, [])
    assert have_locks.wait(timeout=30)
    try:
        assert [m.id for m in claim_due(now=T0)] == [free]
    finally:
        release.set()
        thread.join(timeout=30)
    assert {m.id for m in claim_due(now=T0)} == locked


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_parallel_deliveries_send_each_message_once(channel, robot):
    for _ in range(12):
        make_message(channel)
    start = threading.Barrier(3)
    results = []

    def worker():
        start.wait()
        return deliver_due(now=T0, limit=5)

    threads = [_in_thread(worker, results) for _ in range(3)]
    for thread in threads:
        thread.join(timeout=60)
    assert sum(r.sent for r in results) == 12
    assert len(robot.requests) == 12
    assert OutboxMessage.objects.filter(state=OutboxMessage.State.SENT).count() == 12
