"""Fill PostgreSQL with many synthetic cases fast (INSERT … SELECT generate_series).

Reusable by other benchmarks::

    from bench.fill import fill
    fill(1_000_000)          # on top of the places, units and catalogue already there

or from the shell (DATABASE_URL must point at PostgreSQL)::

    .venv/bin/python bench/fill.py 1000000

Cases are spread over the two years before now, over every grid cell (hence
every street and community) and every active small class that has a filing
standard. Older cases are closed (90 %) or cancelled (10 %); the last 20 days
hold every state, with milestones, units, deadlines, lights and overdue flags
consistent with that state. Each case gets a few history rows (report, file,
dispatch, close or refuse). Rows are marked ``is_synthetic`` and numbered
``<category><date><7-digit serial>`` (20 characters, never clashing with real
17-character numbers). Running it again adds more cases after the last serial.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicloop.settings")

YEARS_DAYS = 730
RECENT_DAYS = 20

# g % 20 → state of a recent case (older ones: closed, or cancelled when g % 10 == 0).
RECENT_STATES = (
    ["closed"] * 7
    + ["cancelled", "reported", "verifying", "pending_filing", "pending_dispatch"]
    + ["dispatched"] * 2
    + ["in_progress"] * 3
    + ["pending_check", "pending_closure", "suspended"]
)
HANDLING = ("dispatched", "in_progress")
AFTER_FILING = ("pending_dispatch", "dispatched", "in_progress", "pending_check",
                "pending_closure", "suspended", "closed")  # fmt: skip
AFTER_DISPATCH = ("dispatched", "in_progress", "pending_check", "pending_closure", "suspended",
                  "closed")  # fmt: skip
AFTER_SIGN = ("in_progress", "pending_check", "pending_closure", "suspended", "closed")
AFTER_HANDLING = ("pending_check", "pending_closure", "closed")
SOURCES = ["inspector"] * 5 + ["hotline", "public", "camera"]


def _sql_list(values) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


def _prepare(cursor) -> tuple[int, int]:
    """Temporary lookup tables of cells and categories; returns their sizes."""
    from civicloop.cases.models import FilingStandard, SmallClass
    from civicloop.geo.models import GridCell, Region
    from civicloop.org.models import ResponsibilityRule, Unit

    cells = list(
        GridCell.objects.filter(centroid_lon__isnull=False)
        .select_related("community")
        .order_by("id")
        .values_list(
            "id",
            "community_id",
            "community__parent_id",
            "patrol_area_id",
            "area_class",
            "centroid_lon",
            "centroid_lat",
        )  # fmt: skip
    )
    if not cells:
        raise SystemExit("No grid cells: build the places first (civicloop.demo.builder.build()).")
    offices = dict(
        Unit.objects.filter(kind=Unit.Kind.STREET_OFFICE, is_active=True).values_list(
            "region_id", "id"
        )
    )
    streets = set(Region.objects.filter(level=Region.Level.STREET).values_list("id", flat=True))
    standards = {}
    for pk, small_id in (
        FilingStandard.objects.filter(is_active=True)
        .order_by("small_class_id", "-is_default", "order", "code")
        .values_list("id", "small_class_id")
    ):
        standards.setdefault(small_id, pk)
    rules = {}
    for code, unit_id in ResponsibilityRule.objects.filter(
        is_active=True, region__isnull=True, road__isnull=True, owner=""
    ).values_list("category_code", "unit_id"):
        rules[code] = unit_id
    classes = []
    for pk, full_code in (
        SmallClass.objects.filter(is_active=True)
        .order_by("full_code")
        .values_list("id", "full_code")
    ):
        if pk in standards:
            unit = rules.get(full_code) or rules.get(full_code[:3])
            classes.append((pk, standards[pk], full_code, unit))
    if not classes:
        raise SystemExit("No categories with filing standards: load the catalogue first.")
    cursor.execute("DROP TABLE IF EXISTS bench_cells; DROP TABLE IF EXISTS bench_classes")
    cursor.execute(
        "CREATE TEMP TABLE bench_cells (idx int PRIMARY KEY, cell_id bigint, community_id bigint,"
        " street_id bigint, patrol_area_id bigint, area_class varchar(1), lon float8, lat float8,"
        " office_id bigint)"
    )
    rows = [
        (i, c, com, st if st in streets else None, pa, ac or "B", lon, lat, offices.get(st))
        for i, (c, com, st, pa, ac, lon, lat) in enumerate(cells)
    ]
    cursor.executemany("INSERT INTO bench_cells VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)", rows)
    cursor.execute(
        "CREATE TEMP TABLE bench_classes (idx int PRIMARY KEY, small_class_id bigint,"
        " standard_id bigint, full_code varchar(8), unit_id bigint)"
    )
    cursor.executemany(
        "INSERT INTO bench_classes VALUES (%s,%s,%s,%s,%s)",
        [(i, *row) for i, row in enumerate(classes)],
    )
    return len(cells), len(classes)


CASE_SQL = """
WITH g AS (
    SELECT s AS g,
           %(now)s::timestamptz - ((%(last)s - s) * %(step)s) * interval '1 second' AS reported_at
    FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS s
), s AS (
    SELECT g.g, g.reported_at, cell.*, cls.small_class_id, cls.standard_id, cls.full_code,
           cls.unit_id AS rule_unit_id,
           CASE WHEN g.reported_at > %(now)s::timestamptz - interval '%(recent)s days'
                THEN (%(recent_states)s)[(g.g %% 20) + 1]
                WHEN g.g %% 10 = 0 THEN 'cancelled' ELSE 'closed' END AS state,
           CASE WHEN (g.g * 31) %% 10 < 7 THEN 'green'
                WHEN (g.g * 31) %% 10 < 9 THEN 'yellow' ELSE 'red' END AS open_light,
           (%(sources)s)[(g.g %% 8) + 1] AS source
    FROM g
    JOIN bench_cells cell ON cell.idx = (g.g * 7919) %% %(ncells)s
    JOIN bench_classes cls ON cls.idx = ((g.g * 104729) / 7) %% %(nclasses)s
), t AS (
    SELECT s.*,
           s.reported_at + interval '20 minutes' AS t_filed,
           s.reported_at + interval '40 minutes' AS t_dispatched,
           s.reported_at + interval '2 hours' AS t_signed,
           LEAST(s.reported_at + ((g %% 96) + 3) * interval '1 hour', %(now)s::timestamptz) AS t_handled,
           LEAST(s.reported_at + ((g %% 96) + 4) * interval '1 hour', %(now)s::timestamptz) AS t_checked,
           LEAST(s.reported_at + ((g %% 96) + 5) * interval '1 hour', %(now)s::timestamptz) AS t_closed,
           s.reported_at + interval '3 days' AS t_deadline,
           s.state NOT IN ('closed', 'cancelled', 'suspended') AS clocked
    FROM s
)
INSERT INTO cases_case (
    number, tracking_code, state, cancel_reason, version, source, small_class_id, standard_id,
    urgency, description, address, owner, lon, lat, cell_id, community_id, street_id, area_class,
    patrol_area_id, road_section_id, road_chief_id, reporter_id, reporter_name, reporter_phone,
    reporter_email, external_id, is_synthetic, proposed_unit_id, routing_reason,
    routing_ambiguous, unit_id, assigned_inspector_id, duplicate_of_id, fast_lane, self_handled,
    reported_at, filed_at, dispatched_at, signed_at, handled_at, checked_at, closed_at,
    cancelled_at, updated_at, stage_started_at, due_at, yellow_at, light, deadline_provisional,
    limit_amount, limit_unit, handling_started_at, handling_deadline, suspended_at,
    extension_hours, suspended_seconds, handled_on_time, is_overdue, rework_count, return_count,
    extension_count, suspension_count, supervision_count, reopen_count, escalation_level
)
SELECT
    full_code || to_char(reported_at AT TIME ZONE %(tz)s, 'YYYYMMDD') || lpad(g::text, 7, '0'),
    'B' || lpad(g::text, 9, '0'),
    state,
    CASE WHEN state = 'cancelled' THEN 'not_accepted' ELSE '' END,
    3, source, small_class_id, standard_id, 'normal',
    '合成案件 #' || g, '演示地址 ' || (g %% 500) || ' 号', '',
    lon + ((g * 13) %% 100 - 50) * 0.000006, lat + ((g * 17) %% 100 - 50) * 0.000006,
    cell_id, community_id, street_id, area_class, patrol_area_id, NULL, NULL, NULL, '', '', '',
    '', TRUE, COALESCE(rule_unit_id, office_id), '', FALSE,
    CASE WHEN state = ANY(%(after_dispatch)s) THEN COALESCE(rule_unit_id, office_id) END,
    NULL, NULL, FALSE, FALSE,
    reported_at,
    CASE WHEN state = ANY(%(after_filing)s) THEN t_filed END,
    CASE WHEN state = ANY(%(after_dispatch)s) THEN t_dispatched END,
    CASE WHEN state = ANY(%(after_sign)s) THEN t_signed END,
    CASE WHEN state = ANY(%(after_handling)s) THEN t_handled END,
    CASE WHEN state IN ('pending_closure', 'closed') THEN t_checked END,
    CASE WHEN state = 'closed' THEN t_closed END,
    CASE WHEN state = 'cancelled' THEN reported_at + interval '15 minutes' END,
    CASE WHEN state = 'closed' THEN t_closed ELSE reported_at + interval '40 minutes' END,
    CASE WHEN clocked THEN CASE WHEN state = ANY(%(handling)s) THEN t_dispatched ELSE reported_at END END,
    CASE WHEN clocked THEN CASE open_light
        WHEN 'green' THEN %(now)s::timestamptz + interval '2 days'
        WHEN 'yellow' THEN %(now)s::timestamptz + interval '1 hour'
        ELSE %(now)s::timestamptz - interval '3 hours' END END,
    CASE WHEN clocked THEN CASE open_light
        WHEN 'green' THEN %(now)s::timestamptz + interval '1 day'
        ELSE %(now)s::timestamptz - interval '1 hour' END END,
    CASE WHEN clocked THEN open_light ELSE '' END,
    FALSE,
    CASE WHEN state = ANY(%(after_dispatch)s) THEN 3 END,
    CASE WHEN state = ANY(%(after_dispatch)s) THEN 'working_days' ELSE '' END,
    CASE WHEN state = ANY(%(after_dispatch)s) THEN t_dispatched END,
    CASE WHEN state = ANY(%(after_dispatch)s) THEN
        CASE WHEN state = ANY(%(handling)s) AND open_light = 'red'
             THEN %(now)s::timestamptz - interval '3 hours' ELSE t_deadline END END,
    CASE WHEN state = 'suspended' THEN t_signed END,
    0, 0,
    CASE WHEN state = ANY(%(after_handling)s) THEN g %% 7 <> 0 END,
    (state = ANY(%(after_handling)s) AND g %% 7 = 0)
        OR (state = ANY(%(handling)s) AND open_light = 'red'),
    CASE WHEN state = 'closed' AND g %% 23 = 0 THEN 1 ELSE 0 END, 0, 0, 0, 0, 0, 0
FROM t
ORDER BY g
"""

EVENT_SQL = """
INSERT INTO cases_caseevent (case_id, at, actor_id, actor_name, role, unit_id, action,
                             from_state, to_state, note, on_time, is_public, data)
SELECT id, reported_at, NULL::integer, '合成', 'inspector', NULL::bigint, 'report', '', 'reported', '',
       NULL::boolean,
       TRUE, '{}'::jsonb FROM cases_case WHERE id > %(after)s
UNION ALL
SELECT id, filed_at, NULL::integer, '合成', 'shift_leader', NULL, 'file', 'pending_filing',
       'pending_dispatch', '', TRUE, TRUE, '{}'::jsonb
FROM cases_case WHERE id > %(after)s AND filed_at IS NOT NULL
UNION ALL
SELECT id, dispatched_at, NULL::integer, '合成', 'dispatcher', unit_id, 'dispatch', 'pending_dispatch',
       'dispatched', '', TRUE, TRUE, '{}'::jsonb
FROM cases_case WHERE id > %(after)s AND dispatched_at IS NOT NULL
UNION ALL
SELECT id, closed_at, NULL::integer, '合成', 'shift_leader', unit_id, 'close', 'pending_closure',
       'closed', '', TRUE, TRUE, '{}'::jsonb
FROM cases_case WHERE id > %(after)s AND closed_at IS NOT NULL
UNION ALL
SELECT id, cancelled_at, NULL::integer, '合成', 'acceptor', NULL::bigint, 'refuse', 'reported', 'cancelled',
       '合成：不予受理', TRUE, TRUE, '{}'::jsonb
FROM cases_case WHERE id > %(after)s AND cancelled_at IS NOT NULL
"""


def fill(n: int, *, batch: int = 100_000, events: bool = True, now=None, stdout=print) -> int:
    """Add ``n`` synthetic cases (and their history) on PostgreSQL; returns the number added."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    if connection.vendor != "postgresql":
        raise SystemExit("bench/fill.py needs PostgreSQL (set DATABASE_URL).")
    now = now or timezone.now()
    total_days = YEARS_DAYS
    step = total_days * 86400 / max(n, 1)
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
        ncells, nclasses = _prepare(cursor)
        cursor.execute(
            "SELECT COALESCE(MAX(substring(tracking_code from 2)::bigint), 0) FROM cases_case"
            " WHERE tracking_code ~ '^B[0-9]{9}$'"
        )
        serial = cursor.fetchone()[0]
        done = 0
        started = time.perf_counter()
        while done < n:
            size = min(batch, n - done)
            first = serial + done + 1
            # Serials of this run map onto the two years ending now.
            params = {
                "now": now, "first": first, "last": first + size - 1, "step": step,
                "recent": RECENT_DAYS, "ncells": ncells, "nclasses": nclasses,
                "tz": settings.TIME_ZONE,
            }  # fmt: skip
            # The "last" of the time axis is the run's last serial, not the batch's.
            params["last_axis"] = serial + n
            sql = CASE_SQL.replace("(%(last)s - s)", "(%(last_axis)s - s)")
            sql = (
                sql.replace("%(recent_states)s", _sql_list(RECENT_STATES))
                .replace("%(sources)s", _sql_list(SOURCES))
                .replace("%(after_dispatch)s", _sql_list(AFTER_DISPATCH))
                .replace("%(after_filing)s", _sql_list(AFTER_FILING))
                .replace("%(after_sign)s", _sql_list(AFTER_SIGN))
                .replace("%(after_handling)s", _sql_list(AFTER_HANDLING))
                .replace("%(handling)s", _sql_list(HANDLING))
                .replace("'%(recent)s days'", f"'{RECENT_DAYS} days'")
            )
            with transaction.atomic():
                cursor.execute("SELECT COALESCE(MAX(id), 0) FROM cases_case")
                after = cursor.fetchone()[0]
                cursor.execute(sql, params)
                if events:
                    cursor.execute(EVENT_SQL, {"after": after})
            done += size
            rate = done / (time.perf_counter() - started)
            stdout(f"  {done:,} / {n:,} cases ({rate:,.0f}/s)")
        cursor.execute("ANALYZE cases_case")
        if events:
            cursor.execute("ANALYZE cases_caseevent")
    return done


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=100_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--no-events", action="store_true")
    args = parser.parse_args()
    fill(args.n, batch=args.batch, events=not args.no_events)


if __name__ == "__main__":
    main()
