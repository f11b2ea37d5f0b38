"""Benchmark the evaluation: all handling units for one month, over 1 and 10 million cases.

Needs PostgreSQL. Creates a scratch database (default ``civicloop_bench_eval``
on ``postgres://postgres@127.0.0.1:5432``), migrates it, fills cases with
``INSERT … SELECT generate_series`` at a constant 10,000 cases a day (so the
evaluated month holds about 300,000 cases whatever the table size; 1 M cases
cover 100 days, 10 M cover 1,000 days) plus approved returns for 1 % of them,
then times :func:`civicloop.evaluation.indicators.evaluate` for the unit scope
(with and without the previous-period comparison), prints the figures and the
ratio between 10 M and 1 M, and drops the database. Asserts nothing.

To keep the fill short, the scratch table loses its secondary indexes on
columns the unit evaluation never reads (they cannot serve its query); the
indexes on ``dispatched_at``, ``unit_id`` and ``state`` stay, as do the
primary key and the unique constraints. Foreign-key triggers are off during
the bulk insert (``session_replication_role = replica``).

    .venv/bin/python bench/evaluation.py [--small 1000000] [--large 10000000] [--keep]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import psycopg

BENCH_DB = os.environ.get("BENCH_DB", "civicloop_bench_eval")
SERVER = os.environ.get("BENCH_SERVER", "postgres://postgres@127.0.0.1:5432")
os.environ["DATABASE_URL"] = f"{SERVER}/{BENCH_DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicloop.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PER_DAY = 10_000
UNITS = 60
CHUNK = 1_000_000
START = "2023-01-01 00:00:00+08"


def admin(sql: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def setup():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from civicloop.cases.catalogue_loader import load_catalogue
    from civicloop.org.models import Unit

    load_catalogue()
    for i in range(UNITS):
        Unit.objects.get_or_create(code=f"U{i:03d}", defaults={"name": f"单位{i:03d}",
                                                               "kind": Unit.Kind.DEPARTMENT})  # fmt: skip


#: Indexes on columns the unit evaluation filters or groups by; only these can serve it.
#: The others are dropped in the scratch database to make the fill fast (see the docstring).
RELEVANT = ("dispatched_at", "unit_id", "state")


def drop_irrelevant_indexes() -> list[str]:
    """Drop the scratch table's secondary indexes on columns the evaluation never reads."""
    from django.db import connection

    dropped = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases_case' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        for name, definition in cursor.fetchall():
            columns = definition.split("(", 1)[1]
            if not any(column in columns for column in RELEVANT):
                cursor.execute(f'DROP INDEX "{name}"')
                dropped.append(name)
    return dropped


def fill(first: int, last: int) -> None:
    """Cases first..last (ids), 10,000 a day from START, with known state mixes."""
    from django.db import connection

    from civicloop.cases.models import SmallClass
    from civicloop.org.models import Unit

    small_class = SmallClass.by_code("E0102").pk
    unit_ids = list(
        Unit.objects.filter(code__startswith="U").order_by("code").values_list("pk", flat=True)
    )
    units_array = "ARRAY[" + ",".join(map(str, unit_ids)) + "]::bigint[]"
    seconds = 86400 / PER_DAY
    with connection.cursor() as cursor:
        # A bulk load: no per-row foreign-key trigger queue, no waiting on each commit.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET synchronous_commit = off")
        for low in range(first, last + 1, CHUNK):
            high = min(last, low + CHUNK - 1)
            started = time.perf_counter()
            cursor.execute(
                f"""
                INSERT INTO cases_case (
                  id, number, tracking_code, state, cancel_reason, version, source, small_class_id,
                  urgency, description, address, owner, lon, lat, area_class, reporter_name,
                  reporter_phone, reporter_email, external_id, is_synthetic, routing_reason,
                  routing_ambiguous, fast_lane, self_handled, reported_at, filed_at,
                  dispatched_at, signed_at, handled_at, closed_at, cancelled_at, updated_at,
                  light, deadline_provisional, limit_unit, extension_hours, suspended_seconds,
                  is_overdue, rework_count, return_count, extension_count, suspension_count,
                  supervision_count, reopen_count, escalation_level, unit_id,
                  handling_started_at, handling_deadline, handled_on_time, suspended_at)
                SELECT g, 'B' || lpad(g::text, 12, '0'), 'T' || g,
                  s.state, CASE WHEN s.state = 'cancelled' THEN 'void' ELSE '' END, 5,
                  CASE WHEN g %% 5 = 0 THEN 'public' ELSE 'inspector' END, {small_class},
                  'normal', '', '', '', 113.6, 34.7, 'B', '', '', '', '', true, '', false, false,
                  false, t.rep, t.rep + interval '10 min', t.rep + interval '20 min',
                  t.rep + interval '30 min',
                  CASE WHEN s.state IN ('closed', 'pending_check')
                       THEN t.rep + (g %% 7) * interval '1 hour' END,
                  CASE WHEN s.state = 'closed' THEN t.rep + interval '8 hours' END,
                  CASE WHEN s.state = 'cancelled' THEN t.rep + interval '1 hour' END,
                  t.rep, '', false, 'working_hours', 0, 0, false,
                  (g %% 23 = 0)::int, 0, (g %% 31 = 0)::int, (s.state = 'suspended')::int, 0, 0, 0,
                  ({units_array})[1 + g %% {len(unit_ids)}],
                  t.rep + interval '20 min', t.rep + interval '4 hours 20 min',
                  CASE WHEN s.state IN ('closed', 'pending_check') THEN g %% 7 < 4 END,
                  CASE WHEN s.state = 'suspended' THEN t.rep + interval '1 hour' END
                FROM generate_series(%s::bigint, %s::bigint) g
                CROSS JOIN LATERAL (SELECT timestamptz '{START}' + (g - 1) * interval '{seconds} seconds' AS rep) t
                CROSS JOIN LATERAL (SELECT CASE
                    WHEN g %% 20 = 0 THEN 'cancelled' WHEN g %% 20 IN (1, 2) THEN 'in_progress'
                    WHEN g %% 20 = 3 THEN 'suspended' WHEN g %% 20 = 4 THEN 'pending_check'
                    ELSE 'closed' END AS state) s
                """,
                [low, high],
            )
            cursor.execute(
                """
                INSERT INTO cases_caserequest (case_id, kind, status, unit_id, reason,
                  after_deadline, requested_at, decided_at, decision_note)
                SELECT id, 'return', 'approved', unit_id, 'bench', id %% 300 = 0,
                       dispatched_at + interval '1 hour', dispatched_at + interval '90 min', ''
                FROM cases_case WHERE id BETWEEN %s AND %s AND id %% 100 = 50
                """,
                [low, high],
            )
            print(f"  filled cases {low:,}–{high:,} in {time.perf_counter() - started:.1f} s",
                  flush=True)  # fmt: skip
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('cases_case', 'id'), (SELECT max(id) FROM cases_case))"
        )
        cursor.execute("SET session_replication_role = origin")
        cursor.execute("VACUUM ANALYZE cases_case")
        cursor.execute("VACUUM ANALYZE cases_caserequest")


def measure(total: int, repeats: int = 5) -> dict:
    import datetime

    from django.db import connection, reset_queries

    from civicloop.evaluation.indicators import evaluate
    from civicloop.evaluation.periods import Period

    # The last whole month of the filled span.
    days = total // PER_DAY
    end = datetime.date(2023, 1, 1) + datetime.timedelta(days=days - 1)
    first = (end.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    from civicloop.evaluation.periods import month

    period: Period = month(first.year, first.month)
    in_month = None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM cases_case WHERE dispatched_at >= %s AND dispatched_at < %s",
            [period.start, period.end],
        )
        in_month = cursor.fetchone()[0]
    evaluate("unit", period, with_previous=False)  # warm the cache
    alone, compared = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        table = evaluate("unit", period, with_previous=False)
        alone.append(time.perf_counter() - started)
        started = time.perf_counter()
        evaluate("unit", period)
        compared.append(time.perf_counter() - started)
    reset_queries()
    return {
        "period": period.key, "cases_in_month": in_month, "units": len(table.ranked),
        "alone": statistics.median(alone), "compared": statistics.median(compared),
    }  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000_000)
    parser.add_argument("--large", type=int, default=10_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
    admin(f'CREATE DATABASE "{BENCH_DB}"')
    try:
        setup()
        dropped = drop_irrelevant_indexes()
        print(f"dropped {len(dropped)} indexes on columns the evaluation does not read", flush=True)
        results = {}
        filled = 0
        for total in (args.small, args.large):
            print(f"Filling to {total:,} cases …", flush=True)
            fill(filled + 1, total)
            filled = total
            results[total] = measure(total)
            r = results[total]
            print(
                f"{total:>12,} cases: month {r['period']} holds {r['cases_in_month']:,} dispatched "
                f"cases, {r['units']} units ranked; evaluate = {r['alone'] * 1000:.0f} ms, "
                f"with the previous month = {r['compared'] * 1000:.0f} ms (median of 5)",
                flush=True,
            )
        small, large = results[args.small], results[args.large]
        print(
            f"ratio {args.large:,} / {args.small:,}: {large['alone'] / small['alone']:.2f} "
            f"(with previous month {large['compared'] / small['compared']:.2f})"
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
            print(f"dropped {BENCH_DB}")


if __name__ == "__main__":
    main()
