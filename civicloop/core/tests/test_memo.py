"""Per-process memos: built once, dropped by a bump here, rebuilt after a bump elsewhere."""

import pytest
from django.db import transaction

from civicloop.core import memo
from civicloop.core.models import MemoVersion

from .memos import elsewhere


def _counting(name):
    calls = []

    def load():
        calls.append(1)
        return len(calls)

    return memo.Memo(name, load), calls


def test_built_once_then_rebuilt_after_a_bump(db):
    cached, calls = _counting("test.one")
    assert cached.get() == 1 and cached.get() == 1
    memo.bump("test.one")
    assert cached.get() == 2
    assert MemoVersion.objects.get(name="test.one").version == 1
    memo.bump("test.one")
    assert MemoVersion.objects.get(name="test.one").version == 2


def test_a_bump_elsewhere_is_seen_at_the_next_check(db, settings):
    cached, calls = _counting("test.two")
    assert cached.get() == 1
    elsewhere("test.two")
    assert cached.get() == 1  # not checked yet (MEMO_CHECK_SECONDS)
    settings.MEMO_CHECK_SECONDS = 0
    assert cached.get() == 2 and cached.get() == 2


def test_deferred_bumps_once(db, django_assert_num_queries):
    cached, _calls = _counting("test.three")
    with django_assert_num_queries(2), memo.deferred():  # the lock row and the name
        for _ in range(5):
            memo.bump("test.three")
    assert MemoVersion.objects.get(name="test.three").version == 1


def _other_thread(cached):
    """What another thread of this process gets (its own connection, committed rows)."""
    import threading

    from django.db import connection

    out = []

    def run():
        try:
            out.append(cached.get())
        except Exception as exc:  # noqa: BLE001 - shown by the assertion below
            out.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return out[0]


@pytest.mark.django_db(transaction=True)
def test_a_bump_is_taken_at_the_commit_never_before(settings):
    """Inside the writer's transaction its own thread loads afresh and keeps nothing;
    another thread keeps its copy of the committed rows, and that copy is never kept
    under the new counter (a revoked token would stay accepted); after the commit
    every thread rebuilds."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a second thread reading during a write needs a server database")
    settings.MEMO_CHECK_SECONDS = 0
    cached, calls = _counting("test.commit")
    assert cached.get() == 1
    with transaction.atomic():
        memo.bump("test.commit")
        assert cached.get() == 2 and cached.get() == 3  # the writer: fresh, not kept
        assert _other_thread(cached) == 1  # the copy of the committed rows, version 0
        cached.clear()
        assert _other_thread(cached) == 4  # rebuilt from the committed rows...
        assert _other_thread(cached) == 4  # ...and kept under version 0, not 1
    assert cached.get() == 5 and cached.get() == 5  # committed: version 1, rebuilt once
    assert MemoVersion.objects.get(name="test.commit").version == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_bump_leaves_nothing_behind(settings):
    settings.MEMO_CHECK_SECONDS = 0
    cached, calls = _counting("test.rollback")
    assert cached.get() == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        memo.bump("test.rollback")
        assert cached.get() == 2
        raise RuntimeError
    assert not MemoVersion.objects.filter(name="test.rollback").exists()
    assert cached.get() == 3 and cached.get() == 3  # rebuilt once from the old rows, kept


def test_bulk_writes_bump_the_memos_following_the_model(db):
    from civicloop.core.models import Heartbeat

    cached, calls = _counting("test.bulk")
    memo.bump_on_change("test.bulk", [Heartbeat])
    assert cached.get() == 1
    memo.bump_models(Heartbeat)
    assert cached.get() == 2
    assert MemoVersion.objects.get(name="test.bulk").version == 1


@pytest.mark.django_db(transaction=True)
def test_bumps_in_opposite_orders_wait_instead_of_deadlocking():
    """Two transactions bumping the same names in opposite orders: the second waits
    for the first (the lock row) instead of one of them failing with a deadlock."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("two writing transactions at once need a server database")
    first_in, errors = threading.Event(), []

    def run(names, wait_first):
        try:
            if wait_first:
                first_in.wait(10)
            with transaction.atomic():
                memo.bump(names[0])
                first_in.set()
                threading.Event().wait(0.5)  # the other transaction starts meanwhile
                memo.bump(names[1])
        except Exception as exc:  # noqa: BLE001 - shown by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(("test.b", "test.a"), False)),
        threading.Thread(target=run, args=(("test.a", "test.b"), True)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert {m.name: m.version for m in MemoVersion.objects.filter(name__startswith="test.")} == {
        "test.a": 2, "test.b": 2,
    }  # fmt: skip
