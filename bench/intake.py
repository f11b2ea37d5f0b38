"""Benchmark intake through the field API: cases accepted per second under gunicorn.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicloop_bench \\
        .venv/bin/python bench/intake.py [--workers 4] [--clients 16] [--requests 3000]

1. Creates the PostgreSQL database if it is missing (createdb), migrates it and
   loads the Erqi demo district (civicloop.demo.builder.build: places, units,
   people, rules, catalogue). Refuses anything but PostgreSQL.
2. Issues a token for a demo inspector.
3. Starts gunicorn serving civicloop.wsgi on 127.0.0.1 with a few workers.
4. Drives POST /api/cases (JSON, no photo unless --photo), or with --open311
   POST /open311/v2/requests.json (form fields, an Open311 client key), from N client threads
   (httpx, only to 127.0.0.1) for a fixed number of requests, bounded by
   --max-seconds, after a short warm-up that is not counted.
5. Prints cases accepted (201) per second and p50/p90/p99 latency, then stops
   gunicorn (the process it started, by its id).

Each accepted case went through the real intake action: locating, routing,
numbering, stage deadline (working time), duplicate search, history row.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/civicloop_bench"


def ensure_database(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit(f"bench/intake.py needs PostgreSQL, not {parsed.scheme}")
    if parsed.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("bench/intake.py only runs against a local database (127.0.0.1)")
    name = parsed.path.lstrip("/")
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    args = [
        "-h",
        parsed.hostname,
        "-p",
        str(parsed.port or 5432),
        "-U",
        parsed.username or "postgres",
    ]
    exists = subprocess.run(
        ["psql", *args, "-d", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True, text=True, env=env, check=True,
    ).stdout.strip()  # fmt: skip
    if exists != "1":
        subprocess.run(["createdb", *args, name], check=True, env=env)
        print(f"created database {name}")


def prepare(url: str):
    """Migrate, build the demo, return (token key, points, categories)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicloop.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    from django.core.management import call_command

    from civicloop.api.actions import issue_token
    from civicloop.cases.models import FilingStandard
    from civicloop.demo.builder import build
    from civicloop.geo.locator import locate
    from civicloop.geo.models import GridCell
    from civicloop.org.models import Membership, Role

    logging.getLogger("httpx").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    import inspect

    # Places, units, people, rules and catalogue only: no synthetic history.
    report = build(history=False) if "history" in inspect.signature(build).parameters else build()
    print(f"demo district {'reused' if report.reused else 'built'} "
          f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    inspector = (
        Membership.objects.filter(role=Role.INSPECTOR, is_active=True, person__user__isnull=False)
        .select_related("person__user")
        .order_by("id")
        .first()
        .person.user
    )
    _token, key = issue_token(inspector, "bench/intake.py")
    # Random points spread over the whole district (as real reports are), so that
    # duplicates (same category within 50 m and 7 days) stay as rare as in life.
    rng = random.Random(7)
    cells = list(GridCell.objects.all())
    points = []
    while len(points) < 20_000:
        x0, y0, x1, y1 = rng.choice(cells).geometry.bounds
        lon, lat = round(rng.uniform(x0, x1), 6), round(rng.uniform(y0, y1), 6)
        if locate(lon, lat).inside:
            points.append((lon, lat))
    categories = sorted(
        set(
            FilingStandard.objects.filter(
                is_active=True, small_class__is_active=True, time_limits__isnull=False
            ).values_list("small_class__full_code", flat=True)
        )
    )
    print(f"{len(points)} points, {len(categories)} categories, inspector {inspector.username}")
    return key, points, categories


def open311_client() -> str:
    """A fresh key of the Open311 client "bench/intake.py" (created when missing)."""
    from django.db import connection

    from civicloop.open311.models import Open311Client

    client = Open311Client.objects.filter(name="bench/intake.py").first()
    client = client or Open311Client(name="bench/intake.py")
    key = client.set_key()
    client.is_active = True
    client.save()
    connection.close()
    return key


def start_gunicorn(url: str, port: int, workers: int, threads: int, log=None) -> subprocess.Popen:
    # Production-like: DEBUG off, so a real key (civicloop.wsgi refuses the development one).
    # Plain HTTP on 127.0.0.1: no redirect to HTTPS (a TLS proxy would do that).
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "LOG_LEVEL": "WARNING",
           "CONN_MAX_AGE": "600", "PYTHONUNBUFFERED": "1", "SECURE_SSL_REDIRECT": "0",
           "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50)}  # fmt: skip
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"), "civicloop.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--worker-class", "gthread" if threads > 1 else "sync", "--threads", str(threads),
        "--backlog", "512", "--log-level", "warning", "--timeout", "60",
    ]  # fmt: skip
    # ``log``: a file for gunicorn's output (tracebacks of requests cut by a fault).
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    return process


def wait_until_up(base: str, process: subprocess.Popen, seconds: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("gunicorn exited early")
        try:
            httpx.get(f"{base}/api/openapi.json", timeout=10)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    sys.exit("gunicorn did not answer")


def photo_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 160, 90)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def drive(
    base,
    key,
    points,
    categories,
    *,
    clients,
    total,
    max_seconds,
    photo,
    seed=1,
    on_answer=None,
    quiet=False,
    open311_key=None,
):
    """Send ``total`` reports from ``clients`` threads; returns (latencies, statuses, seconds).

    ``photo`` is True (a photo on every report) or the share of reports with one
    (0.1: one in ten). ``on_answer(status, body, sent_at)`` is called for every
    answer (``body`` the JSON of a 201, else None; ``status`` the error's class
    name when no answer came), e.g. to keep the acknowledged case ids.
    With ``open311_key`` the reports go to ``POST /open311/v2/requests.json``
    instead (an accepted one answers 200; it is counted like a 201).
    """
    import httpx

    lock = threading.Lock()
    remaining = [total]
    latencies: list[float] = []
    statuses: Counter = Counter()
    seen: set = set()
    stop_at = time.monotonic() + max_seconds
    image = photo_bytes() if photo else None

    def worker(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        headers = {"Authorization": f"Bearer {key}", "Accept-Language": "en"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            while time.monotonic() < stop_at:
                with lock:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                lon, lat = rng.choice(points)
                fields = {"source": "inspector", "category": rng.choice(categories),
                          "lon": lon, "lat": lat, "description": "bench report",
                          "external_id": f"bench-{index}-{rng.random():.9f}"}  # fmt: skip
                started = time.perf_counter()
                sent_at = time.monotonic()
                body = None
                with_photo = image is not None and (photo is True or rng.random() < photo)
                try:
                    if open311_key:
                        response = client.post("/open311/v2/requests.json", data={
                            "api_key": open311_key, "service_code": fields["category"],
                            "lat": lat, "long": lon, "description": "bench report",
                            "account_id": fields["external_id"]})  # fmt: skip
                    elif with_photo:
                        response = client.post("/api/cases", data=fields,
                                               files={"photos": ("p.jpg", image, "image/jpeg")})  # fmt: skip
                    else:
                        response = client.post("/api/cases", json=fields)
                    status = response.status_code
                    if open311_key and status == 200:
                        status, body = 201, {"number": response.json()[0]["service_request_id"]}
                    elif status == 201:
                        body = response.json()
                    elif status not in seen and not quiet:
                        seen.add(status)
                        print(f"  first {status} answer: {response.text[:300]}")
                except httpx.HTTPError as error:
                    status = type(error).__name__
                elapsed = time.perf_counter() - started
                if on_answer is not None:
                    on_answer(status, body, sent_at)
                with lock:
                    statuses[status] += 1
                    if status == 201:
                        latencies.append(elapsed)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, time.perf_counter() - started


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of processes (Linux /proc), 0 for those gone."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def server_pids(master: int, url: str) -> list[int]:
    """The gunicorn workers and the PostgreSQL backends serving the bench database."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    parsed = urlparse(url)
    env = {**os.environ, **({"PGPASSWORD": parsed.password} if parsed.password else {})}
    out = subprocess.run(
        ["psql", "-h", parsed.hostname, "-p", str(parsed.port or 5432), "-U",
         parsed.username or "postgres", "-d", "postgres", "-tAc",
         f"SELECT pid FROM pg_stat_activity WHERE datname = '{parsed.path.lstrip('/')}'"],
        capture_output=True, text=True, env=env,
    ).stdout  # fmt: skip
    pids += [int(line) for line in out.split() if line.strip().isdigit()]
    return pids


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent client threads")
    parser.add_argument("--requests", type=int, default=3000, help="reports to send")
    parser.add_argument("--warmup", type=int, default=200, help="reports sent first, not counted")
    parser.add_argument("--max-seconds", type=float, default=120, help="stop sending after this")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--photo", action="store_true", help="attach a 640×480 JPEG to each")
    parser.add_argument(
        "--open311", action="store_true", help="POST Open311 service requests instead"
    )
    args = parser.parse_args()
    args.clients = max(1, min(args.clients, 64))
    args.requests = max(1, min(args.requests, 100_000))

    ensure_database(args.database_url)
    key, points, categories = prepare(args.database_url)
    open311_key = open311_client() if args.open311 else None
    if open311_key:
        os.environ["OPEN311_RATE_LIMIT"] = "1000000/m"  # the bench is one address
    base = f"http://127.0.0.1:{args.port}"
    process = start_gunicorn(args.database_url, args.port, args.workers, args.threads)
    try:
        wait_until_up(base, process)
        drive(base, key, points, categories, clients=args.clients, total=args.warmup,
              max_seconds=60, photo=args.photo, seed=99, open311_key=open311_key)  # fmt: skip
        pids = server_pids(process.pid, args.database_url)
        cpu_before = cpu_seconds(pids)
        latencies, statuses, seconds = drive(
            base, key, points, categories, clients=args.clients, total=args.requests,
            max_seconds=args.max_seconds, photo=args.photo, open311_key=open311_key,
        )  # fmt: skip
        cpu_used = cpu_seconds(pids) - cpu_before
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    accepted = len(latencies)
    print(f"\ngunicorn: {args.workers} workers × {args.threads} threads; {args.clients} clients; "
          f"{os.cpu_count()} CPUs; photo: {'yes' if args.photo else 'no'}; "
          f"{'POST /open311/v2/requests.json' if open311_key else 'POST /api/cases'}")  # fmt: skip
    print(f"sent {sum(statuses.values())} reports in {seconds:.2f} s; statuses {dict(statuses)}")
    if accepted:
        print(f"cases accepted per second: {accepted / seconds:.0f}")
        print(f"latency p50 {percentile(latencies, 0.50) * 1000:.1f} ms, "
              f"p90 {percentile(latencies, 0.90) * 1000:.1f} ms, "
              f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms, "
              f"mean {statistics.fmean(latencies) * 1000:.1f} ms")  # fmt: skip
        per_case = cpu_used / accepted
        print(f"server CPU (gunicorn workers + PostgreSQL backends): {per_case * 1000:.1f} ms "
              f"per accepted case → about {os.cpu_count() / per_case:.0f} cases/s if "
              f"{os.cpu_count()} cores were free for the server")  # fmt: skip
        print(f"load average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
              f"(other work on the machine lowers the measured rate)")  # fmt: skip
    else:
        print("no case was accepted")


if __name__ == "__main__":
    main()
