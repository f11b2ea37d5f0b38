"""Reads from a PostgreSQL streaming read replica, where it is safe.

With ``DATABASE_REPLICA_URL`` set, the database alias ``replica`` points at a
hot standby of the primary. Nothing reads from it by default: a view opts in
with :func:`replica_view` (dashboards, evaluation, exports, long lists), code
with ``with replica_reads():``. Inside, the :class:`ReplicaRouter` sends ORM
reads to the replica, and everything else stays on the primary:

* writes, and any read inside a transaction on the primary (``atomic``), which
  must see what the transaction wrote;
* requests of a user who wrote something in the last
  ``REPLICA_STICKY_SECONDS`` (a signed cookie set by
  :class:`ReplicaStickinessMiddleware` on every successful unsafe request), so
  nobody misses their own change;
* the whole block when the replica is down (connection refused: it is not
  tried again for ``REPLICA_RETRY_SECONDS``) or lags by more than
  ``REPLICA_MAX_LAG_SECONDS`` (replay behind what it has received, for longer
  than that).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections

REPLICA = "replica"
STICKY_COOKIE = "civicloop_wrote"
logger = logging.getLogger(__name__)

_reading = contextvars.ContextVar("civicloop_replica_reads", default=False)
_state_lock = threading.Lock()
_state = {"down_until": 0.0, "checked_at": 0.0, "usable": False}

_LAG_SQL = (
    "SELECT pg_is_in_recovery(), CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() "
    "THEN 0 ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES and settings.REPLICA_READS


def replica_lag() -> float:
    """Seconds the replica's replay is behind (0 when it has replayed all it received)."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(_LAG_SQL)
        _in_recovery, lag = cursor.fetchone()
    return float(lag or 0)


def replica_usable() -> bool:
    """Whether reads may go to the replica now (checked at most every REPLICA_CHECK_SECONDS)."""
    if not replica_configured():
        return False
    now = time.monotonic()
    with _state_lock:
        if now < _state["down_until"]:
            return False
        if now - _state["checked_at"] < settings.REPLICA_CHECK_SECONDS:
            return _state["usable"]
    try:
        lag = replica_lag()
    except DatabaseError as error:
        logger.warning("read replica unreachable, reading from the primary: %s", error)
        connections[REPLICA].close()
        with _state_lock:
            _state.update(down_until=now + settings.REPLICA_RETRY_SECONDS, usable=False)
        return False
    usable = lag <= settings.REPLICA_MAX_LAG_SECONDS
    if not usable:
        logger.info("read replica %.1f s behind, reading from the primary", lag)
    with _state_lock:
        _state.update(checked_at=now, usable=usable, down_until=0.0)
    return usable


def forget_replica_state() -> None:
    """Check the replica again on the next read (tests, and after an operator's fix)."""
    with _state_lock:
        _state.update(down_until=0.0, checked_at=0.0, usable=False)


@contextlib.contextmanager
def replica_reads(allowed: bool = True):
    """Send the ORM reads of the block to the replica when that is safe (see the module)."""
    token = _reading.set(bool(allowed) and replica_usable())
    try:
        yield _reading.get()
    finally:
        _reading.reset(token)


def wrote_recently(request) -> bool:
    value = request.get_signed_cookie(
        STICKY_COOKIE, default=None, salt=STICKY_COOKIE, max_age=settings.REPLICA_STICKY_SECONDS
    )
    return value is not None


def replica_view(view):
    """Serve a read-only view (GET/HEAD) from the replica when safe."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        allowed = request.method in ("GET", "HEAD") and not wrote_recently(request)
        with replica_reads(allowed):
            return view(request, *args, **kwargs)

    return wrapped


class ReplicaRouter:
    """Reads inside :func:`replica_reads` go to the replica; all else to the primary."""

    def db_for_read(self, model, **hints):
        if _reading.get() and not connections["default"].in_atomic_block:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaStickinessMiddleware:
    """After a successful unsafe request, this user's reads stay on the primary for a while."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            REPLICA in settings.DATABASES
            and request.method not in ("GET", "HEAD", "OPTIONS", "TRACE")
            and response.status_code < 400
        ):
            response.set_signed_cookie(
                STICKY_COOKIE, "1", salt=STICKY_COOKIE, max_age=settings.REPLICA_STICKY_SECONDS,
                httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
            )  # fmt: skip
        return response
