"""Benchmark the console on PostgreSQL with 1,000,000 cases: p50/p95 per page.

    .venv/bin/python bench/console.py [--cases 1000000] [--repeat 30]

Uses DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/civicloop_bench_console
(created when missing). Migrates, builds the Erqi demo places and people
(civicloop.demo.builder.build()), fills synthetic cases up to --cases with
bench/fill.py, then requests the pages through Django's test Client signed
in as a centre user (dispatcher) and as a street office's handler, and prints
the median and 95th percentile of the wall time of each request. Asserts
nothing: it prints figures.

Then the worker's due-case queries (the first batch of each step of a pass)
and the duplicate search of an intake, the downloads (case-list export, case
sheet, the month's ledger and bulletin, --repeat-downloads times each) and the
admin lists of the big tables (signed in as a superuser, created when missing).
Which index serves which of these: docs/indexes.md.

    .venv/bin/python bench/console.py --as-is --repeat 5 --repeat-downloads 2

measures the database of DATABASE_URL as it is (no migrate, no fill): with
DATABASE_URL unset and --as-is, the SQLite demo database under var/ (build
it with ``manage.py migrate && manage.py demo``). Figures: docs/evaluation.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/civicloop_bench_console"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicloop.settings")
# DEBUG is off (production-like), and the test client speaks plain HTTP.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` if it does not exist."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("bench/console.py needs PostgreSQL (DATABASE_URL=postgres://…).")
    params = {k: v for k, v in {"host": config["HOST"], "port": config["PORT"],
                                "user": config["USER"], "password": config["PASSWORD"]}.items()
              if v}  # fmt: skip
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')
            print(f"created database {config['NAME']}")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def measure(client, url: str, repeat: int) -> tuple[float, float, int]:
    response = client.get(url)  # warm-up (per-process caches, plans)
    assert response.status_code == 200, (url, response.status_code)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    times = []
    size = 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        body = (
            b"".join(response.streaming_content)
            if hasattr(response, "streaming_content")
            else response.content
        )
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        size = len(body)
    return statistics.median(times), percentile(times, 95), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--repeat-downloads", type=int, default=3)
    parser.add_argument("--as-is", action="store_true",
                        help="measure the database as it is (no migrate, no fill); "
                             "without DATABASE_URL: the SQLite demo database")  # fmt: skip
    args = parser.parse_args()

    if args.as_is:
        if os.environ.get("DATABASE_URL") == DEFAULT_URL and "BENCH_KEEP_URL" not in os.environ:
            del os.environ["DATABASE_URL"]  # settings' default: var/civicloop.sqlite3
    else:
        ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.fill import fill
    from civicloop.cases.models import Case, State
    from civicloop.demo.builder import build
    from civicloop.org.models import Membership, Role, Unit

    if not args.as_is:
        call_command("migrate", verbosity=0)
        build(history=False)  # our own filler makes the cases
    have = Case.objects.filter(is_synthetic=True).count()
    if not args.as_is and have < args.cases:
        print(f"filling {args.cases - have:,} cases (have {have:,}) …")
        started = time.perf_counter()
        fill(args.cases - have)
        print(f"filled in {time.perf_counter() - started:.0f} s")
    total = Case.objects.count()
    open_count = Case.objects.filter(state__in=[s for s in State.values
                                                if s not in ("closed", "cancelled")]).count()  # fmt: skip
    print(f"{total:,} cases, {open_count:,} open, database {connection.settings_dict['NAME']}")

    centre = Membership.objects.filter(role=Role.DISPATCHER, person__user__isnull=False).first()
    handler = (
        Membership.objects.filter(role=Role.HANDLER, unit__kind=Unit.Kind.STREET_OFFICE,
                                  person__user__isnull=False)
        .select_related("unit__region", "person__user")
        .order_by("unit__code")
        .first()
    )  # fmt: skip
    street = handler.unit.region
    case = (
        Case.objects.filter(unit=handler.unit, state="in_progress").order_by("-reported_at").first()
        or Case.objects.filter(unit=handler.unit).order_by("-reported_at").first()
    )
    category, community = (
        Case.objects.filter(street=street, community__isnull=False)
        .values_list("small_class_id", "community_id")
        .first()
    )
    since = (case.reported_at.date().replace(day=1)).isoformat()
    pages = [
        ("dashboard", "/console/dashboard/"),
        ("dashboard map: cases", "/console/map/cases.json?zoom=12"),
        ("dashboard map: streets", "/console/map/streets.json"),
        ("list: open in a street, by deadline", f"/console/cases/?state=open&street={street.pk}&sort=due"),
        ("list: category since a date", f"/console/cases/?category={category}&date_from={since}"),
        ("list: closed, page 50", "/console/cases/?state=closed&page=50"),
        # The queries some indexes are kept or made for (docs/indexes.md).
        ("list: a community", f"/console/cases/?community={community}"),
        ("list: red lights", "/console/cases/?light=red"),
        ("list: last changed first", "/console/cases/?sort=updated"),
        ("case detail", f"/console/cases/{case.pk}/"),
        ("home (my work)", "/console/"),
    ]  # fmt: skip
    for label, user in (("centre (dispatcher)", centre.person.user),
                        (f"handler ({handler.unit.name})", handler.person.user)):  # fmt: skip
        client = Client()
        client.force_login(user)
        print(f"\n{label}")
        print(f"  {'page':40} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'KiB':>6}")
        for name, url in pages:
            counted = []
            with connection.execute_wrapper(
                lambda execute, *a, c=counted: c.append(1) or execute(*a)
            ):
                client.get(url)
            p50, p95, size = measure(client, url, args.repeat)
            print(f"  {name:40} {p50:8.1f} {p95:8.1f} {len(counted):8d} {size / 1024:6.0f}")
    worker_and_duplicates(case, args.repeat)
    downloads_and_admin(centre.person.user, case, street, args.repeat, args.repeat_downloads)


def worker_and_duplicates(case, repeat: int) -> None:
    """The worker's due-case queries (the first batch of each step of a pass, read only)
    and the duplicate search of an intake: the queries some indexes are kept for."""
    from django.utils import timezone

    from civicloop.cases import timekeeping
    from civicloop.cases.actions.intake import nearby_open_cases
    from civicloop.cases.models import Case, LoopConfig

    now = timezone.now()
    config = LoopConfig.objects.select_related("supervision_office").get_or_create(pk=1)[0]
    queries = [
        (f"worker: {name}", lambda c=condition, k=key: list(
            Case.objects.filter(c).order_by(k, "pk").values_list(k, "pk")[:timekeeping.BATCH_SIZE]))
        for name, condition, key, _change in timekeeping._steps(now, config)
    ]  # fmt: skip
    queries.append(("duplicate search (nearby_open_cases)", lambda: nearby_open_cases(
        case.small_class_id, case.lon, case.lat, radius_m=50, days=7, now=case.reported_at)))  # fmt: skip
    print("\nworker and intake queries")
    print(f"  {'query':40} {'p50 ms':>8} {'p95 ms':>8}")
    for name, run in queries:
        run()  # warm-up
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            run()
            times.append((time.perf_counter() - started) * 1000)
        print(f"  {name:40} {statistics.median(times):8.1f} {percentile(times, 95):8.1f}")


def downloads_and_admin(centre_user, case, street, repeat: int, repeat_downloads: int) -> None:
    """The exports, ledger and bulletin (as the centre) and the admin lists (superuser)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Max
    from django.test import Client

    from civicloop.cases.models import Case
    from civicloop.evaluation import periods

    latest = Case.objects.aggregate(m=Max("reported_at"))["m"]
    month = periods.last_complete("month", latest.date()).key
    downloads = [
        ("ledger (xlsx), last complete month", f"/console/evaluation/ledger.xlsx?period={month}"),
        ("bulletin (PDF), last complete month", f"/console/evaluation/bulletin.pdf?period={month}"),
        ("evaluation page, units", f"/console/evaluation/?period={month}"),
        ("evaluation page, grid cells", f"/console/evaluation/?scope=cell&period={month}"),
        ("evaluation page, streets", f"/console/evaluation/?scope=street&period={month}"),
        ("case list export (xlsx), open in a street",
         f"/console/cases/export.xlsx?state=open&street={street.pk}"),
        ("case sheet (PDF)", f"/console/cases/{case.pk}/sheet.pdf"),
    ]  # fmt: skip
    User = get_user_model()
    admin_user = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-admin", password="bench-admin"
    )
    admin_pages = [
        ("admin: cases", "/admin/cases/case/"),
        ("admin: cases, closed", "/admin/cases/case/?state=closed"),
        ("admin: case history", "/admin/cases/caseevent/"),
        ("admin: case history, by role", "/admin/cases/caseevent/?role=dispatcher"),
        ("admin: requests", "/admin/cases/caserequest/"),
        ("admin: supervision orders", "/admin/cases/supervisionorder/"),
        ("admin: grid cells", "/admin/geo/gridcell/"),
        ("admin: people", "/admin/org/person/"),
    ]
    for label, user, pages, times in (
        ("downloads and evaluation (centre)", centre_user, downloads, repeat_downloads),
        ("admin lists (superuser)", admin_user, admin_pages, repeat),
    ):
        client = Client()
        client.force_login(user)
        print(f"\n{label}")
        print(f"  {'page':40} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'KiB':>6}")
        for name, url in pages:
            counted = []
            with connection.execute_wrapper(
                lambda execute, *a, c=counted: c.append(1) or execute(*a)
            ):
                response = client.get(url)
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)
            p50, p95, size = measure(client, url, times)
            print(f"  {name:40} {p50:8.1f} {p95:8.1f} {len(counted):8d} {size / 1024:6.0f}")


if __name__ == "__main__":
    main()
