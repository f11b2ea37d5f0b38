"""Faults survived, as figures: kill -9, a PostgreSQL crash, races, backup and restore.

    sudo .venv/bin/python bench/faults.py            # full size: 10,000 cases, 1,000 races
    sudo .venv/bin/python bench/faults.py --small    # CI size: under ~3 minutes

Everything runs on a private PostgreSQL cluster the script creates (initdb into
a temporary folder, 127.0.0.1:5441, trust auth, run as the ``postgres`` user
when started as root) and removes at the end, so the shared server on 5432 is
never touched. The script starts gunicorn (``bench/intake.py``'s production
environment), the worker (``manage.py worker``) and a WeCom-style robot that
answers ``{"errcode": 0}`` and counts deliveries per ``Idempotency-Key``;
every unit gets a WeCom channel pointing at it and the fast lane is on, so
each fast-lane report (accepted, filed and dispatched at once) queues one
outbox message in its intake transaction.

1. **kill -9 during intake**: N client threads POST /api/cases (Bearer token)
   while gunicorn workers and the worker are killed with SIGKILL (the worker is
   started again; gunicorn's master starts new workers). Every acknowledged
   case (201) must be stored with its number; no case without a number or its
   report history row, no fast-lane case without its dispatch row and its
   outbox message, no history or evidence without its case, no evidence row
   without its files.
2. **PostgreSQL crash during load**: the private cluster is restarted with
   ``pg_ctl restart -m immediate`` (a crash: no checkpoint, WAL recovery)
   while the intake goes on. The errors during the restart window are
   counted; the app must answer 201 again afterwards and every acknowledged
   case must be stored.
3. **Outbox, at least once**: once the load is over, every outbox message must
   be sent and have reached the robot at least once under its key; copies
   (same key twice) are counted, they are allowed.
4. **Conflicting transitions**: for each of M dispatched cases two clients of
   the case's unit POST ``actions/sign`` at the same moment (a barrier per
   case, served by different gunicorn workers): exactly one 200, the other 409,
   exactly one sign row in the history.
5. **Backup and restore**: ``manage.py backup``, ``manage.py restore --yes``
   into a fresh database, ``civicloop.core.backup.digest`` of both: identical.

Prints one line per check with its figures and exits 1 when a check fails.
Bounded: ``--cases`` requests for the intake, ``--max-seconds`` for each load
phase; gunicorn, the worker, the robot and the cluster are stopped even on
failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import ROOT, drive, ensure_database, prepare, start_gunicorn  # noqa: E402

PG_VERSION = "15"
PG_BIN = Path(f"/usr/lib/postgresql/{PG_VERSION}/bin")
PYTHON = str(ROOT / ".venv" / "bin" / "python")


# --- the private cluster -----------------------------------------------------


class PrivateCluster:
    """A throw-away PostgreSQL cluster on 127.0.0.1:``port`` (trust auth)."""

    def __init__(self, port: int):
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="civicloop-faults-pg-"))
        self.data = self.dir / "data"
        self.as_root = os.geteuid() == 0

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run as the postgres user; output to a file, never to a pipe.

        The postmaster that ``pg_ctl start|restart`` leaves running would keep a
        pipe open for ever (and ``subprocess.run`` would wait for its end).
        """
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        with (self.dir / "pg_ctl.out").open("a") as out:
            result = subprocess.run([*prefix, *command], stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT)  # fmt: skip
        if check and result.returncode:
            tail = (self.dir / "pg_ctl.out").read_text()[-2000:]
            raise RuntimeError(f"{command[0]} failed ({result.returncode}): {tail}")
        return result

    def pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        log = ["-l", str(self.dir / "server.log")]
        return self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), *log, *args, check=check)

    def start(self) -> None:
        if (
            subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port)]).returncode
            == 0
        ):
            sys.exit(f"something already listens on 127.0.0.1:{self.port}; choose --pg-port")
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 "
                   f"-c unix_socket_directories={self.dir} -c max_connections=200 "
                   f"-c shared_buffers=64MB -c log_min_messages=fatal")  # fmt: skip
        self.pg_ctl("-w", "-t", "60", "-o", options, "start")

    def restart_crash(self) -> float:
        """``pg_ctl restart -m immediate``: the server dies without a checkpoint and recovers."""
        started = time.monotonic()
        self.pg_ctl("-m", "immediate", "-w", "-t", "120", "restart")
        return time.monotonic() - started

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.pg_ctl("-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


# --- the robot ---------------------------------------------------------------


class Robot:
    """A WeCom-style group robot: ``{"errcode": 0}``, deliveries counted per Idempotency-Key."""

    def __init__(self, port: int, delay: float):
        self.deliveries: Counter = Counter()
        self.without_key = 0
        self.cut_off = 0  # answers the killed worker never read (it delivers again)
        self.lock = threading.Lock()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                json.loads(self.rfile.read(length) or b"{}")
                key = self.headers.get("Idempotency-Key")
                with robot.lock:
                    if key:
                        robot.deliveries[key] += 1
                    else:
                        robot.without_key += 1
                time.sleep(delay)  # a slow robot: kills land between its answer and the record
                body = b'{"errcode": 0, "errmsg": "ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    robot.cut_off += 1  # the worker was killed while the robot answered

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=bench"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- processes ---------------------------------------------------------------


def wait_until_up(base: str, process: subprocess.Popen, seconds: float = 300) -> None:
    """Until gunicorn answers /healthz (any status: the worker may not have beaten yet)."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("gunicorn exited early")
        try:
            httpx.get(f"{base}/healthz", timeout=30)
            return
        except httpx.HTTPError:
            time.sleep(0.5)
    sys.exit("gunicorn did not answer")


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def stop_process(process: subprocess.Popen | None, seconds: float = 20) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Worker:
    """``manage.py worker`` in a loop, restartable after a kill -9."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log, self.process = env, log, None
        self.kills = 0

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [PYTHON, "manage.py", "worker", "--interval", "0.5", "--delivery-limit", "200"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def kill9(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.kills += 1
        self.start()

    def stop(self) -> None:
        stop_process(self.process)


# --- load --------------------------------------------------------------------


class Load:
    """One intake run in a background thread, keeping every answer."""

    def __init__(self, base, key, points, categories, *, clients, total, max_seconds, seed):
        self.acknowledged: dict[int, str] = {}
        #: (sent at, answered at, status) of every request.
        self.answers: list[tuple[float, float, object]] = []
        self.lock = threading.Lock()

        #: Cleared while the database is being restarted.
        self.database_up = threading.Event()
        self.database_up.set()

        def on_answer(status, body, sent_at):
            with self.lock:
                self.answers.append((sent_at, time.monotonic(), status))
                if status == 201:
                    self.acknowledged[body["id"]] = body["number"]
            if status != 201:
                # As a field app does: after an error, wait a little before the
                # next report (and, while the database is down, until it is up).
                time.sleep(0.5)
                self.database_up.wait(timeout=60)

        def run():
            self.result = drive(base, key, points, categories, clients=clients, total=total,
                                max_seconds=max_seconds, photo=0.1, seed=seed,
                                on_answer=on_answer, quiet=True)  # fmt: skip

        self.thread = threading.Thread(target=run, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def done(self) -> int:
        with self.lock:
            return len(self.answers)

    def statuses(self) -> Counter:
        with self.lock:
            return Counter(status for _sent, _answered, status in self.answers)


def wait_for(load: Load, count: int) -> None:
    while load.thread.is_alive() and load.done() < count:
        time.sleep(0.05)


# --- checks ------------------------------------------------------------------


class Checks:
    def __init__(self):
        self.failed = []

    def line(self, name: str, ok: bool, text: str) -> None:
        print(f"{'PASS' if ok else 'FAIL'} {name}: {text}", flush=True)
        if not ok:
            self.failed.append(name)


def stored_and_whole(acknowledged: dict[int, str]) -> dict:
    """Figures for acknowledged cases and for half-written ones in the whole database."""
    from django.conf import settings
    from django.db import connection
    from django.db.models import CharField, Exists, OuterRef, Q, Value
    from django.db.models.functions import Cast, Concat

    from civicloop.cases.models import Case, CaseEvent, Evidence, State
    from civicloop.notify.models import OutboxMessage

    connection.close()  # the server may have restarted since the last query
    Action = CaseEvent.Action
    stored = dict(Case.objects.filter(pk__in=list(acknowledged)).values_list("pk", "number"))
    lost = [pk for pk in acknowledged if pk not in stored]
    wrong_number = [
        pk for pk, number in acknowledged.items() if pk in stored and stored[pk] != number
    ]
    events = CaseEvent.objects.filter(case=OuterRef("pk"))
    no_number = Case.objects.filter(Q(number="") | Q(number__isnull=True)).count()
    no_report = Case.objects.filter(~Exists(events.filter(action=Action.REPORT))).count()
    fast = Case.objects.filter(fast_lane=True)
    topic = Concat(Value("case:"), Cast(OuterRef("pk"), output_field=CharField()))
    fast_half = fast.filter(
        ~Exists(events.filter(action=Action.DISPATCH))
        | ~Exists(OutboxMessage.objects.filter(topic=topic))
    ).count()
    wrong_state = fast.exclude(state__in=[State.DISPATCHED, State.IN_PROGRESS]).count()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {CaseEvent._meta.db_table} e "
            f"LEFT JOIN {Case._meta.db_table} c ON c.id = e.case_id WHERE c.id IS NULL"
        )
        orphan_events = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT count(*) FROM {Evidence._meta.db_table} v "
            f"LEFT JOIN {Case._meta.db_table} c ON c.id = v.case_id WHERE c.id IS NULL"
        )
        orphan_evidence = cursor.fetchone()[0]
    media = Path(settings.MEDIA_ROOT)
    referenced, missing_files = set(), 0
    for row in Evidence.objects.values_list("original", "public", "thumbnail"):
        for name in row:
            if name:
                referenced.add(name)
                missing_files += not (media / name).is_file()
    on_disk = {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()}
    return {
        "cases": Case.objects.count(),
        "stored": len(stored),
        "lost": len(lost),
        "wrong_number": len(wrong_number),
        "no_number": no_number,
        "no_report": no_report,
        "fast_lane": fast.count(),
        "fast_half": fast_half,
        "fast_wrong_state": wrong_state,
        "orphan_events": orphan_events,
        "orphan_evidence": orphan_evidence,
        "evidence": Evidence.objects.count(),
        "missing_files": missing_files,
        "stray_files": len(on_disk - referenced),
    }


def errors_of(statuses: Counter) -> str:
    bad = {str(k): v for k, v in statuses.items() if k != 201}
    return ", ".join(f"{k} ×{v}" for k, v in sorted(bad.items())) or "none"


# --- main --------------------------------------------------------------------


def main() -> int:  # noqa: C901 - one script, one story
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true",
                        help="CI size: 300 cases, 100 races, one kill of each kind, one restart")  # fmt: skip
    parser.add_argument("--cases", type=int, default=10_000, help="intake requests (kill phase)")
    parser.add_argument("--restart-cases", type=int, default=None,
                        help="intake requests during the PostgreSQL crash (default cases/5)")  # fmt: skip
    parser.add_argument("--races", type=int, default=1000, help="cases signed twice at once")
    parser.add_argument("--worker-kills", type=int, default=5, help="kill -9 of gunicorn workers")
    parser.add_argument("--background-kills", type=int, default=5,
                        help="kill -9 of the background worker (manage.py worker)")  # fmt: skip
    parser.add_argument("--restarts", type=int, default=1, help="PostgreSQL crashes")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--clients", type=int, default=16, help="client threads")
    parser.add_argument("--max-seconds", type=float, default=900, help="bound of each load phase")
    parser.add_argument("--port", type=int, default=8108, help="gunicorn")
    parser.add_argument("--robot-port", type=int, default=8109, help="the WeCom-style robot")
    parser.add_argument("--pg-port", type=int, default=5441, help="the private cluster")
    parser.add_argument("--robot-delay", type=float, default=0.02, help="seconds per delivery")
    args = parser.parse_args()
    if args.small:
        args.cases, args.races, args.worker_kills, args.background_kills = 300, 100, 1, 1
        args.restarts, args.workers, args.clients = 1, 2, 8
        args.max_seconds = min(args.max_seconds, 120)
    args.cases = max(50, min(args.cases, 100_000))
    args.restart_cases = args.restart_cases or max(args.cases // 5, 200)
    args.clients = max(2, min(args.clients, 64))
    started = time.monotonic()
    checks = Checks()

    # Ctrl-C and SIGTERM unwind through the ExitStack: everything started is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with ExitStack() as stack:
        scratch = Path(tempfile.mkdtemp(prefix="civicloop-faults-"))
        stack.callback(shutil.rmtree, scratch, ignore_errors=True)
        os.environ.update(CIVICLOOP_VAR_DIR=str(scratch / "var"), MEDIA_ROOT=str(scratch / "media"),
                          CACHE_URL="", DATABASE_REPLICA_URL="")  # fmt: skip
        os.environ.pop("DATABASE_REPLICA_URL")
        cluster = PrivateCluster(args.pg_port)
        stack.callback(cluster.remove)
        cluster.start()
        url = f"postgres://postgres@127.0.0.1:{args.pg_port}/civicloop_faults"
        ensure_database(url)
        key, points, categories = prepare(url)

        from django.db import connection
        from django.db.models import Count

        from civicloop.api.actions import issue_token
        from civicloop.cases.models import Case, CaseEvent, LoopConfig, State
        from civicloop.core.backup import digest
        from civicloop.notify.models import Channel, OutboxMessage
        from civicloop.org.models import Membership, Role, Unit

        robot = Robot(args.robot_port, args.robot_delay)
        robot.start()
        stack.callback(robot.stop)
        units = list(Unit.objects.filter(is_active=True))
        Channel.objects.bulk_create(
            Channel(unit=unit, name="bench robot", kind=Channel.Kind.WECOM, target=robot.url)
            for unit in units
        )
        config = LoopConfig.get()
        config.fast_lane, config.fast_lane_sources = True, "inspector"
        config.save()
        print(f"{time.monotonic() - started:.0f} s: private cluster 127.0.0.1:{args.pg_port}; {len(units)} units with a robot "
              f"channel; fast lane on", flush=True)  # fmt: skip

        base = f"http://127.0.0.1:{args.port}"
        gunicorn_log = stack.enter_context((scratch / "gunicorn.log").open("a"))
        gunicorn = start_gunicorn(url, args.port, args.workers, 1, log=gunicorn_log)
        stack.callback(stop_process, gunicorn)
        wait_until_up(base, gunicorn)
        print(f"{time.monotonic() - started:.0f} s: gunicorn up", flush=True)
        worker_env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "LOG_LEVEL": "WARNING",
                      "SECRET_KEY": os.environ.get("SECRET_KEY") or "faults-" + os.urandom(24).hex(),
                      "NOTIFY_LEASE_SECONDS": "5", "NOTIFY_BACKOFF_SECONDS": "1",
                      "NOTIFY_BACKOFF_MAX_SECONDS": "2", "PYTHONUNBUFFERED": "1"}  # fmt: skip
        worker = Worker(worker_env, scratch / "worker.log")
        worker.start()
        stack.callback(worker.stop)

        # 1. kill -9 of gunicorn workers and of the worker during the intake.
        load = Load(base, key, points, categories, clients=args.clients, total=args.cases,
                    max_seconds=args.max_seconds, seed=1).start()  # fmt: skip
        kills = sorted(
            [("gunicorn", (i + 1) / (args.worker_kills + 1)) for i in range(args.worker_kills)]
            + [("worker", (i + 0.5) / (args.background_kills + 0.5))
               for i in range(args.background_kills)],
            key=lambda kill: kill[1],
        )  # fmt: skip
        rng = random.Random(3)
        gunicorn_kills = 0
        for kind, share in kills:
            wait_for(load, int(share * args.cases))
            if not load.thread.is_alive():
                break
            if kind == "gunicorn":
                pids = children(gunicorn.pid)
                if pids:
                    os.kill(rng.choice(pids), signal.SIGKILL)
                    gunicorn_kills += 1
            else:
                worker.kill9()
        load.thread.join()
        statuses = load.statuses()
        figures = stored_and_whole(load.acknowledged)
        print(f"{time.monotonic() - started:.0f} s: intake under kills: {sum(statuses.values())} requests in "
              f"{load.result[2]:.0f} s; errors: {errors_of(statuses)}", flush=True)  # fmt: skip
        checks.line(
            "kill -9 during intake",
            figures["lost"] == 0 and figures["wrong_number"] == 0
            and gunicorn_kills == args.worker_kills and worker.kills == args.background_kills
            and len(load.acknowledged) > 0,
            f"{gunicorn_kills} gunicorn workers and {worker.kills} background workers killed; "
            f"{len(load.acknowledged)} acknowledged, {figures['stored']} stored, "
            f"lost {figures['lost']}, wrong number {figures['wrong_number']}; "
            f"{figures['cases'] - figures['stored']} stored without an answer (request cut)",
        )  # fmt: skip
        acknowledged = dict(load.acknowledged)

        # 2. PostgreSQL crashes during the intake.
        load = Load(base, key, points, categories, clients=args.clients, total=args.restart_cases,
                    max_seconds=args.max_seconds, seed=2).start()  # fmt: skip
        windows = []
        for i in range(args.restarts):
            wait_for(load, int((i + 1) / (args.restarts + 1) * args.restart_cases))
            at = time.monotonic()
            load.database_up.clear()
            try:
                seconds = cluster.restart_crash()
            finally:
                load.database_up.set()
            windows.append((at, time.monotonic(), seconds))
        load.thread.join()
        with load.lock:
            answers = list(load.answers)
        print(f"{time.monotonic() - started:.0f} s: crash phase done", flush=True)
        # A request is in a restart window when it was in flight during the
        # crash or the 5 s after it (sent before the crash and answered after
        # it counts: on a loaded machine it may wait seconds for a worker).
        errors_in = sum(
            1 for sent, answered, s in answers
            if s != 201 and any(sent <= b + 5 and answered >= a - 1 for a, b, _ in windows)
        )  # fmt: skip
        errors_out = sum(1 for _sent, _answered, s in answers if s != 201) - errors_in
        after = sum(
            1 for sent, _answered, s in answers if s == 201 and windows and sent > windows[-1][1]
        )
        statuses = Counter(s for _sent, _answered, s in answers)
        acknowledged.update(load.acknowledged)
        figures = stored_and_whole(load.acknowledged)
        checks.line(
            "PostgreSQL crash during intake",
            figures["lost"] == 0 and figures["wrong_number"] == 0 and after > 0 and errors_out == 0,
            f"{len(windows)} restart(s) -m immediate ({', '.join(f'{w[2]:.1f} s' for w in windows)}); "
            f"{sum(statuses.values())} requests, {len(load.acknowledged)} acknowledged, "
            f"{figures['stored']} stored, lost {figures['lost']}; {errors_in} errors in the "
            f"restart window ({errors_of(statuses)}), {errors_out} outside it; "
            f"{after} acknowledged after the restart",
        )  # fmt: skip

        # Every case of both phases, whole.
        figures = stored_and_whole(acknowledged)
        half = (figures["no_number"] + figures["no_report"] + figures["fast_half"]
                + figures["fast_wrong_state"] + figures["orphan_events"]
                + figures["orphan_evidence"] + figures["missing_files"])  # fmt: skip
        checks.line(
            "no half-written case",
            half == 0 and figures["lost"] == 0,
            f"{figures['cases']} cases in the database, {len(acknowledged)} acknowledged, "
            f"lost {figures['lost']}; half-written {half} (without number {figures['no_number']}, "
            f"without report row {figures['no_report']}, fast lane {figures['fast_lane']} of which "
            f"without dispatch row or outbox message {figures['fast_half']}, in a wrong state "
            f"{figures['fast_wrong_state']}); orphan history {figures['orphan_events']}, "
            f"orphan evidence {figures['orphan_evidence']} of {figures['evidence']}, "
            f"evidence files missing {figures['missing_files']}; "
            f"photo files without evidence row (cut requests) {figures['stray_files']}",
        )  # fmt: skip

        # 3. The outbox: every message delivered at least once, under its key.
        print(f"{time.monotonic() - started:.0f} s: waiting for the outbox", flush=True)
        deadline = time.monotonic() + args.max_seconds
        connection.close()
        ours = OutboxMessage.objects.filter(channel__target=robot.url)
        while time.monotonic() < deadline:
            pending = ours.exclude(state=OutboxMessage.State.SENT).count()
            if pending == 0:
                break
            time.sleep(0.5)
        worker.stop()
        keys = {f"civicloop-outbox-{pk}": state for pk, state in ours.values_list("pk", "state")}
        with robot.lock:
            deliveries = Counter(robot.deliveries)
        unsent = sum(1 for state in keys.values() if state != OutboxMessage.State.SENT)
        missing = sum(1 for k in keys if deliveries[k] == 0)
        unknown = sum(1 for k in deliveries if k not in keys)
        copies = sum(n - 1 for n in deliveries.values() if n > 1)
        checks.line(
            "outbox delivered at least once",
            len(keys) > 0 and unsent == 0 and missing == 0 and unknown == 0
            and robot.without_key == 0,
            f"{len(keys)} messages, {sum(deliveries.values())} deliveries, "
            f"{sum(1 for n in deliveries.values() if n > 1)} keys seen more than once "
            f"({copies} duplicate deliveries, dropped by the key); not sent {unsent}, "
            f"never delivered {missing}, deliveries of unknown messages {unknown}, "
            f"without a key {robot.without_key}; answers cut off by a kill {robot.cut_off}",
        )  # fmt: skip

        # 4. Two clients sign each dispatched case at the same moment.
        print(f"{time.monotonic() - started:.0f} s: races", flush=True)
        handlers = {}
        for membership in (
            Membership.objects.filter(role=Role.HANDLER, is_active=True, person__user__isnull=False)
            .select_related("person__user")
            .order_by("id")
        ):
            handlers.setdefault(membership.unit_id, membership.person.user)
        targets = list(
            Case.objects.filter(state=State.DISPATCHED, unit_id__in=list(handlers))
            .order_by("id")
            .values_list("id", "unit_id")[: args.races]
        )
        tokens = {
            u: issue_token(handlers[u], "bench/faults.py")[1] for u in {u for _c, u in targets}
        }
        outcomes: dict[int, list] = {pk: [] for pk, _u in targets}
        pairs = max(1, min(args.clients // 2, 8))
        race_started = time.monotonic()

        def racer(slice_, barrier, side):
            import httpx

            with httpx.Client(base_url=base, timeout=30) as client:
                for pk, unit_id in slice_:
                    try:
                        barrier.wait(timeout=60)
                    except threading.BrokenBarrierError:
                        return
                    try:
                        response = client.post(
                            f"/api/cases/{pk}/actions/sign", json={"note": f"racer {side}"},
                            headers={"Authorization": f"Bearer {tokens[unit_id]}"},
                        )  # fmt: skip
                        code = (
                            response.json().get("code", "") if response.status_code != 200 else ""
                        )
                        outcomes[pk].append((response.status_code, code))
                    except Exception as error:  # noqa: BLE001 - counted as an outcome
                        outcomes[pk].append((type(error).__name__, ""))

        threads = []
        for p in range(pairs):
            slice_ = targets[p::pairs]
            barrier = threading.Barrier(2)
            threads += [
                threading.Thread(target=racer, args=(slice_, barrier, side)) for side in "AB"
            ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        race_seconds = time.monotonic() - race_started
        connection.close()
        winners = Counter(sum(1 for s, _c in results if s == 200) for results in outcomes.values())
        losers = Counter(code for results in outcomes.values() for s, code in results if s != 200)
        signs = Counter(
            dict(
                CaseEvent.objects.filter(case_id__in=list(outcomes), action=CaseEvent.Action.SIGN)
                .values_list("case_id")
                .annotate(n=Count("id"))
                .values_list("case_id", "n")
            )
        )
        one_sign = sum(1 for pk in outcomes if signs[pk] == 1)
        in_progress = Case.objects.filter(pk__in=list(outcomes), state=State.IN_PROGRESS).count()
        checks.line(
            "conflicting transitions",
            len(targets) == args.races and winners[1] == len(targets)
            and one_sign == len(targets) and in_progress == len(targets)
            and sum(losers.values()) == len(targets),
            f"{len(targets)} dispatched cases signed by two clients at once ({pairs} pairs, "
            f"{race_seconds:.0f} s): exactly one winner {winners[1]}, none {winners[0]}, two "
            f"{winners[2]}; losers' answers {dict(losers) or 'none'}; one sign row "
            f"{one_sign}; in progress {in_progress}",
        )  # fmt: skip

        # 5. Backup, restore into a fresh database, compare digests.
        print(f"{time.monotonic() - started:.0f} s: backup and restore", flush=True)
        stop_process(gunicorn)
        connection.close()
        backup_file = scratch / "backup.dump"
        restored_url = f"postgres://postgres@127.0.0.1:{args.pg_port}/civicloop_faults_restored"
        manage_env = {**worker_env, "DEBUG": "0"}
        subprocess.run([PYTHON, "manage.py", "backup", str(backup_file)], cwd=ROOT,
                       env=manage_env, check=True, capture_output=True)  # fmt: skip
        ensure_database(restored_url)
        subprocess.run([PYTHON, "manage.py", "restore", str(backup_file), "--yes"], cwd=ROOT,
                       env={**manage_env, "DATABASE_URL": restored_url}, check=True,
                       capture_output=True)  # fmt: skip
        original = digest()
        restored = json.loads(
            subprocess.run(
                [PYTHON, "-c", "import django, json; django.setup(); "
                 "from civicloop.core.backup import digest; print(json.dumps(digest()))"],
                cwd=ROOT, env={**manage_env, "DATABASE_URL": restored_url,
                               "DJANGO_SETTINGS_MODULE": "civicloop.settings"},
                check=True, capture_output=True, text=True,
            ).stdout.strip().splitlines()[-1]
        )  # fmt: skip
        restored = {table: tuple(value) for table, value in restored.items()}
        differing = sorted(
            t for t in set(original) | set(restored) if original.get(t) != restored.get(t)
        )
        checks.line(
            "backup and restore",
            not differing and len(original) > 0,
            f"{backup_file.stat().st_size / 1e6:.1f} MB dump; {len(original)} tables, "
            f"{sum(r for r, _h in original.values())} rows; restored identical by row counts "
            f"and SHA-256: {len(original) - len(differing)} of {len(original)} tables"
            + (f"; differing: {', '.join(differing[:10])}" if differing else ""),
        )  # fmt: skip

    print(f"{len(checks.failed)} check(s) failed" if checks.failed else "all checks passed",
          f"in {time.monotonic() - started:.0f} s", flush=True)  # fmt: skip
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
