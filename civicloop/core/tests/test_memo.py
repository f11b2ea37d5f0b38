"""Per-process memos: built once, dropped by a bump here, rebuilt after a bump elsewhere."""

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
    with django_assert_num_queries(1), memo.deferred():
        for _ in range(5):
            memo.bump("test.three")
    assert MemoVersion.objects.get(name="test.three").version == 1
