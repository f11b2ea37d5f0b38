"""The read replica, for real: a PostgreSQL hot standby started by .ci/replica.

The PostgreSQL CI run starts the standby and sets DATABASE_REPLICA_URL; there
these tests run (and fail if the standby is missing). The SQLite run has no
replica and runs only the tests of what happens without one.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civicloop.core import db
from civicloop.core.models import Heartbeat  # any table of the bottom layer will do

ROOT = Path(__file__).resolve().parents[3]
ON_POSTGRES = connection.vendor == "postgresql"
HAS_REPLICA = "replica" in settings.DATABASES

if ON_POSTGRES and os.environ.get("CI") and not HAS_REPLICA:  # pragma: no cover
    raise RuntimeError("the PostgreSQL CI run must start the replica (.ci/replica)")

needs_replica = pytest.mark.skipif(not HAS_REPLICA, reason="no DATABASE_REPLICA_URL (SQLite run)")


@pytest.fixture
def standby(settings):
    """The ``replica`` alias pointed at the real standby's copy of the test database."""
    alias = connections["replica"]
    saved = dict(alias.settings_dict)
    primary = connections["default"].settings_dict
    replica_url = settings.DATABASES["replica"]
    alias.close()
    alias.settings_dict.update(
        NAME="postgres", HOST=replica_url.get("HOST") or saved["HOST"],
        PORT=os.environ.get("REPLICA_PORT", "5433"),
    )  # fmt: skip
    # The test database exists on the standby only once its creation is
    # replayed: wait for that on the standby's own database first.
    try:
        wait_until_replayed(60)
    except BaseException:
        alias.close()
        alias.settings_dict.clear()
        alias.settings_dict.update(saved)
        raise
    alias.close()
    alias.settings_dict["NAME"] = primary["NAME"]
    settings.REPLICA_CHECK_SECONDS = 0
    settings.REPLICA_RETRY_SECONDS = 0
    db.forget_replica_state()
    yield alias
    alias.close()
    alias.settings_dict.clear()
    alias.settings_dict.update(saved)


def wait_until_replayed(timeout: float = 20.0) -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (target,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError(
        f"the replica did not replay up to {target} in {timeout:.0f} s; "
        "`bash .ci/replica` rebuilds a standby that cannot catch up"
    )


def add_row(name: str) -> Heartbeat:
    return Heartbeat.objects.create(name=name, kind="probe", beat_at=timezone.now())


pytestmark = pytest.mark.replica

replica_db = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@needs_replica
@replica_db
def test_reads_in_a_replica_block_come_from_the_standby(standby):
    add_row("R1")
    wait_until_replayed()
    with CaptureQueriesContext(standby) as on_replica, db.replica_reads() as used:
        assert used is True
        assert Heartbeat.objects.filter(name="R1").count() == 1
    # the lag probe, then the read itself
    assert [q["sql"].split()[1] for q in on_replica.captured_queries] == [
        "pg_is_in_recovery(),",
        "COUNT(*)",
    ]
    with standby.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True  # it really is the standby


@needs_replica
@replica_db
def test_writes_and_reads_inside_a_transaction_stay_on_the_primary(standby):
    with db.replica_reads(), transaction.atomic():
        row = add_row("R2")
        with CaptureQueriesContext(standby) as on_replica:
            assert Heartbeat.objects.filter(pk=row.pk).exists()  # its own write, not yet replicated
        assert on_replica.captured_queries == []


@needs_replica
@replica_db
def test_a_lagging_replica_is_not_read(standby, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 0.5
    with standby.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        add_row("R3")
        time.sleep(1.2)  # received, not replayed, and the last replay is older than the limit
        add_row("R4")
        time.sleep(0.3)
        assert db.replica_lag() > 0.5
        with CaptureQueriesContext(standby) as on_replica, db.replica_reads() as used:
            assert used is False
            assert (
                Heartbeat.objects.filter(name__in=["R3", "R4"]).count() == 2
            )  # the primary's truth
        assert len(on_replica.captured_queries) == 1  # only the lag probe
    finally:
        with standby.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    wait_until_replayed()
    db.forget_replica_state()
    with db.replica_reads() as used:
        assert used is True


@needs_replica
@replica_db
def test_a_replica_that_is_down_fails_over_to_the_primary(standby):
    subprocess.run(["bash", str(ROOT / ".ci" / "replica"), "stop"], check=True)
    try:
        standby.close()
        add_row("R5")
        with db.replica_reads() as used:
            assert used is False
            assert Heartbeat.objects.filter(name="R5").count() == 1
    finally:
        subprocess.run(["bash", str(ROOT / ".ci" / "replica")], check=True)
    db.forget_replica_state()
    wait_until_replayed(60)
    with db.replica_reads() as used:
        assert used is True
        assert Heartbeat.objects.filter(name="R5").count() == 1


@needs_replica
@replica_db
def test_a_user_who_just_wrote_reads_from_the_primary(standby, rf: RequestFactory):
    wait_until_replayed()
    seen = []

    @db.replica_view
    def page(request):
        seen.append(db._reading.get())
        return HttpResponse("ok")

    page(rf.get("/"))
    response = db.ReplicaStickinessMiddleware(lambda request: HttpResponse(status=302))(
        rf.post("/")
    )
    cookie = response.cookies[db.STICKY_COOKIE].value
    after = rf.get("/")
    after.COOKIES[db.STICKY_COOKIE] = cookie
    page(after)
    page(rf.post("/"))
    assert seen == [True, False, False]


@pytest.mark.django_db
def test_without_a_replica_everything_reads_from_the_primary(settings, rf):
    settings.DATABASES = {k: v for k, v in settings.DATABASES.items() if k != "replica"}
    with db.replica_reads() as used:
        assert used is False
        assert db.ReplicaRouter().db_for_read(Heartbeat) == "default"
    response = db.ReplicaStickinessMiddleware(lambda request: HttpResponse())(rf.post("/"))
    assert db.STICKY_COOKIE not in response.cookies
