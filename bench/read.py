"""Benchmark reads under gunicorn: requests a second and server CPU per request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicloop_bench_read \\
        .venv/bin/python bench/read.py [--cases 100000] [--workers 2] [--clients 8]

1. Creates the PostgreSQL database if it is missing, migrates it, builds the
   Erqi demo district (places, units, people, catalogue) and fills synthetic
   cases with ``bench/fill.py`` up to ``--cases`` (at least 100,000; a filled
   database is reused).
2. Issues a token for the demo dispatcher (who sees every case) and an
   Open311 client key.
3. Starts gunicorn on 127.0.0.1 (DEBUG off, persistent connections) and, per
   workload, drives GET requests from N client threads for ``--requests``
   requests (bounded by ``--max-seconds``) after a short warm-up:

   * ``detail``: ``GET /api/cases/{id}`` of random recent cases;
   * ``list``: ``GET /api/cases?page_size=100&page=k`` (k from 1 to 20);
   * ``open311-single``: ``GET /open311/v2/requests/{number}.json``;
   * ``open311``: ``GET /open311/v2/requests.json`` (the default page: the
     newest 1,000 requests of the last 90 days).

4. Prints one line per workload: requests a second, p50/p99 latency and the
   CPU time the gunicorn workers and the PostgreSQL backends of the bench
   database spent per request (read from /proc), then stops gunicorn (the
   process it started, by its id). Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.intake import (  # noqa: E402
    cpu_seconds,
    ensure_database,
    percentile,
    server_pids,
    start_gunicorn,
    wait_until_up,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/civicloop_bench_read"


def prepare(url: str, cases: int):
    """Migrate, build, fill; returns (token key, Open311 key, case ids, case numbers)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicloop.settings")
    import django

    django.setup()
    import logging

    from django.core.management import call_command
    from django.db import connection

    from bench.fill import fill
    from civicloop.api.actions import issue_token
    from civicloop.cases.models import Case
    from civicloop.demo.builder import build
    from civicloop.open311.models import Open311Client
    from civicloop.org.models import Membership, Role

    logging.getLogger("httpx").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    report = build(history=False)
    print(f"demo district {'reused' if report.reused else 'built'} "
          f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    have = Case.objects.count()
    if have < cases:
        started = time.perf_counter()
        fill(cases - have, stdout=lambda line: None)
        print(f"filled {cases - have:,} cases in {time.perf_counter() - started:.0f} s")
        # What autovacuum does to a table in use: the visibility map lets counts
        # run as index-only scans.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE cases_case")
    dispatcher = (
        Membership.objects.filter(role=Role.DISPATCHER, is_active=True, person__user__isnull=False)
        .select_related("person__user")
        .order_by("id")
        .first()
        .person.user
    )
    _token, key = issue_token(dispatcher, "bench/read.py")
    client = Open311Client.objects.filter(name="bench/read.py").first() or Open311Client(
        name="bench/read.py"
    )
    open311_key = client.set_key()
    client.save()
    recent = list(Case.objects.order_by("-reported_at").values_list("pk", "number")[:5000])
    total = Case.objects.count()
    print(f"{total:,} cases; dispatcher {dispatcher.username}")
    connection.close()  # the bench's own backend would count as the server's
    return key, open311_key, [pk for pk, _n in recent], [n for _pk, n in recent]


def drive(base, paths, *, headers, clients, total, max_seconds, seed=1):
    """GET ``paths(rng)`` ``total`` times from ``clients`` threads; (latencies, statuses, s)."""
    import httpx

    lock = threading.Lock()
    remaining = [total]
    latencies: list[float] = []
    statuses: Counter = Counter()
    stop_at = time.monotonic() + max_seconds
    seen: set = set()

    def worker(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            while time.monotonic() < stop_at:
                with lock:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                started = time.perf_counter()
                try:
                    response = client.get(paths(rng))
                    status = response.status_code
                    if status != 200 and status not in seen:
                        seen.add(status)
                        print(f"  first {status} answer: {response.text[:300]}")
                except httpx.HTTPError as error:
                    status = type(error).__name__
                elapsed = time.perf_counter() - started
                with lock:
                    statuses[status] += 1
                    if status == 200:
                        latencies.append(elapsed)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--cases", type=int, default=100_000, help="at least this many cases")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--requests", type=int, default=600, help="requests per workload")
    parser.add_argument("--max-seconds", type=float, default=60, help="per workload")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument(
        "--only", default="", help="comma-separated workloads (detail,list,open311-single,open311)"
    )
    args = parser.parse_args()
    args.cases = max(args.cases, 100_000)

    ensure_database(args.database_url)
    key, open311_key, ids, numbers = prepare(args.database_url, args.cases)
    os.environ["OPEN311_RATE_LIMIT"] = "1000000/m"  # the bench is one address
    base = f"http://127.0.0.1:{args.port}"
    api = {"Authorization": f"Bearer {key}", "Accept-Language": "en"}
    public = {"Accept-Language": "en"}
    workloads = [
        ("detail", api, lambda rng: f"/api/cases/{rng.choice(ids)}", 1),
        ("list", api, lambda rng: f"/api/cases?page_size=100&page={rng.randint(1, 20)}", 1),
        ("open311-single", public,
         lambda rng: f"/open311/v2/requests/{rng.choice(numbers)}.json", 1),
        ("open311", public, lambda rng: "/open311/v2/requests.json", 10),
    ]  # fmt: skip
    only = {w.strip() for w in args.only.split(",") if w.strip()}
    process = start_gunicorn(args.database_url, args.port, args.workers, 1)
    results = []
    try:
        wait_until_up(base, process)
        for name, headers, paths, divisor in workloads:
            if only and name not in only:
                continue
            total = max(20, args.requests // divisor)
            drive(base, paths, headers=headers, clients=args.clients,
                  total=max(10, total // 10), max_seconds=30, seed=99)  # fmt: skip
            pids = server_pids(process.pid, args.database_url)
            cpu_before = cpu_seconds(pids)
            latencies, statuses, seconds = drive(
                base, paths, headers=headers, clients=args.clients, total=total,
                max_seconds=args.max_seconds,
            )  # fmt: skip
            cpu_used = cpu_seconds(pids) - cpu_before
            results.append((name, latencies, statuses, seconds, cpu_used))
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    print(f"\ngunicorn: {args.workers} workers; {args.clients} clients; {os.cpu_count()} CPUs")
    for name, latencies, statuses, seconds, cpu_used in results:
        done = len(latencies)
        if not done:
            print(f"{name}: no request answered 200 ({dict(statuses)})")
            continue
        print(f"{name}: {done / seconds:.1f} requests/s, p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
              f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms, "
              f"server CPU (gunicorn workers + PostgreSQL backends): "
              f"{cpu_used / done * 1000:.1f} ms per request"
              + ("" if set(statuses) == {200} else f" (statuses {dict(statuses)})"))  # fmt: skip
    print(f"load average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"(other work on the machine lowers the measured rates, not the CPU per request)")  # fmt: skip


if __name__ == "__main__":
    main()
