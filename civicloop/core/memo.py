"""Per-process copies of small, rarely changed tables, invalidated by version counters.

The catalogue, the responsibility rules, API tokens and Open311 clients are
read on every intake but change a few times a day. A :class:`Memo` keeps what
its loader built in this process's memory and rebuilds it when its counter in
``core_memoversion`` has moved, the way the geo locator follows
``GeoDataVersion``:

* whatever changes the source rows calls :func:`bump` (model signals, and the
  actions that write with ``QuerySet.update``). It increments the counter in
  the writer's transaction and drops this process's copy at once;
* every process reads all counters (one query) at most every
  ``MEMO_CHECK_SECONDS`` and rebuilds the memos whose counter moved, so the
  other gunicorn workers and the worker process follow within that time.

The counters live in the database, not in the cache backend, so that they
work the same with one process's local memory cache and with Redis, and so
that a rolled-back change never invalidates anything it did not change.
A memo's value must be treated as read-only by its users.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

_lock = threading.RLock()
_registry: dict[str, Memo] = {}
_versions: dict[str, Any] = {"values": {}, "checked": float("-inf")}


def _read_versions() -> dict[str, int]:
    now = time.monotonic()
    if now - _versions["checked"] < settings.MEMO_CHECK_SECONDS:
        return _versions["values"]
    from .models import MemoVersion

    values = dict(MemoVersion.objects.values_list("name", "version"))
    _versions.update(values=values, checked=now)
    return values


class Memo:
    """A value built by ``load()`` once per process and version of ``name``."""

    def __init__(self, name: str, load: Callable[[], Any]):
        self.name = name
        self.load = load
        self._entry: tuple[int, Any] | None = None
        _registry[name] = self

    def get(self) -> Any:
        dirty = getattr(_local, "dirty", None)
        if dirty:
            if _in_transaction():
                if self.name in dirty:  # this thread's own uncommitted change: never cached
                    return self.load()
            else:
                _settle()
        version = _read_versions().get(self.name, 0)
        entry = self._entry
        if entry is not None and entry[0] == version:
            return entry[1]
        with _lock:
            entry = self._entry
            if entry is not None and entry[0] == version:
                return entry[1]
            value = self.load()
            self._entry = (version, value)
            return value

    def clear(self) -> None:
        self._entry = None


#: Per thread: the names this thread bumped in its still open transaction.
_local = threading.local()


def _in_transaction() -> bool:
    """Whether this thread is inside a transaction of its own (a test's wrapping
    transaction does not count: there a writer's atomic block ending is its commit)."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _settle() -> None:
    """The transaction that bumped this thread's names has ended (committed or rolled
    back): drop their copies and read the counters again."""
    names, _local.dirty = getattr(_local, "dirty", None) or set(), set()
    for name in names:
        memo = _registry.get(name)
        if memo is not None:
            memo.clear()
    forget()


def forget() -> None:
    """Make the next ``get()`` of any memo read the counters again."""
    _versions["checked"] = float("-inf")


def clear_all(*, read_counters: bool = True) -> None:
    """Drop every memo of this process (tests, and after restoring a backup).

    ``read_counters=False`` (tests) takes every counter as 0 until the next
    check instead of reading them, so query counts do not depend on timing.
    """
    for memo in _registry.values():
        memo.clear()
    if read_counters:
        forget()
    else:
        _versions.update(values={}, checked=time.monotonic())


_deferred = threading.local()


@contextmanager
def deferred():
    """Bump each memo changed inside the block once, at its end (bulk loaders)."""
    outer = getattr(_deferred, "names", None)
    if outer is not None:  # nested: the outermost block bumps
        yield
        return
    _deferred.names = set()
    try:
        yield
    finally:
        names, _deferred.names = _deferred.names, None
    bump(*sorted(names))


#: A counter no memo reads: every bumping transaction takes its row first.
LOCK_ROW = "*"


def bump(*names: str) -> None:
    """Record that the rows behind ``names`` changed (in the current transaction).

    One upsert per name increments the counter. The new counter is not taken
    before the transaction ends: until then the writing thread loads these memos
    afresh on each ``get()`` (it sees its own uncommitted rows) without keeping
    them, and the other threads keep the copy of the committed rows (a copy
    they built from the old rows can never be kept under the new counter, and a
    rolled-back change leaves nothing behind). At the commit the copies are
    dropped and the counters read again; the other processes read them within
    ``MEMO_CHECK_SECONDS``.
    """
    from .models import MemoVersion

    pending = getattr(_deferred, "names", None)
    if pending is not None:
        pending.update(names)
        return
    q = connection.ops.quote_name
    table = q(MemoVersion._meta.db_table)
    # The row LOCK_ROW first, then the names in order: two transactions bumping the
    # same names in different orders wait for each other instead of deadlocking.
    for name in (LOCK_ROW, *sorted(set(names))):
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({q('name')}, {q('version')}) VALUES (%s, 1) "
                f"ON CONFLICT ({q('name')}) DO UPDATE SET {q('version')} = {table}.{q('version')} + 1",
                [name],
            )
    _local.dirty = (getattr(_local, "dirty", None) or set()) | set(names)
    if not _in_transaction():  # autocommit: the change is committed already
        _settle()
        return
    transaction.on_commit(_settle)


#: Model label → the memo names that follow its rows (filled by bump_on_change).
_watchers: dict[str, set[str]] = {}


def bump_models(*models) -> None:
    """Bump every memo that follows these models: for writes no signal sees
    (``bulk_create``, ``bulk_update``, ``QuerySet.update``), which lower layers make
    without knowing which upper memos hold their rows."""
    names = set()
    for model in models:
        names |= _watchers.get(model._meta.label_lower, set())
    if names:
        bump(*sorted(names))


def bump_on_change(name: str, models: Iterable, *, ignore_fields: Iterable[str] = ()) -> None:
    """Bump ``name`` whenever a row of one of ``models`` is saved or deleted.

    A save whose ``update_fields`` all lie in ``ignore_fields`` (a user's
    ``last_login`` at each sign-in) changes nothing a memo holds.
    """
    ignored = frozenset(ignore_fields)

    def changed(update_fields=None, **_kwargs) -> None:
        if ignored and update_fields is not None and set(update_fields) <= ignored:
            return
        bump(name)

    for model in models:
        _watchers.setdefault(model._meta.label_lower, set()).add(name)
        label = f"memo-{name}-{model._meta.label_lower}"
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"{label}-save")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"{label}-delete")
