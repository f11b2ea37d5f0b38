"""Benchmark the place search on PostgreSQL with 1,000,000 case addresses: ms per search.

    .venv/bin/python bench/places.py [--cases 1000000] [--repeat 30]

Uses DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/civicloop_bench_places
(created when missing). Migrates, builds the Erqi demo places and people, fills
synthetic cases up to --cases with bench/fill.py (without history rows), gives
them realistic, varied addresses ("陇海路127号东侧": from 22 roads × 400 numbers × 6
suffixes; 26,400 distinct in practice), rebuilds the gazetteer, then calls ``/console/places/search`` through
Django's test Client as a centre user (every case) and as a street office's
handler (its street's cases), and ``/report/places.json`` as the public, and
prints the median and 95th percentile per query. Asserts nothing: it prints
figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/civicloop_bench_places"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicloop.settings")

SUFFIXES = ["", "附近", "东侧", "西侧", "门口", "北100米"]
QUERIES = [
    # (what, q) — places first, then addresses of earlier cases
    ("place: road prefix", "陇海"),
    ("place: crossing", "陇海路与大学"),
    ("place: compound (substring)", "绿云"),
    ("place: grid cell code", "4101030010"),
    ("place: one character", "路"),
    ("address: road and number", "陇海路127号"),
    ("address: number and side", "27号东侧"),
    ("address: very common text", "号门口"),
    ("address: no match", "不存在的地址"),
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def measure(client, url: str, params: dict, repeat: int) -> tuple[float, float, int, int]:
    times, status, n = [], 0, 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
        n = len(response.json().get("results", [])) if status == 200 else 0
    return statistics.median(times), percentile(times, 95), status, n


def give_addresses(cursor) -> None:
    from civicloop.geo.models import Road

    roads = list(Road.objects.order_by("code").values_list("name", flat=True))
    road_array = "ARRAY[" + ",".join(f"'{r}'" for r in roads) + "]"
    suffix_array = "ARRAY[" + ",".join(f"'{s}'" for s in SUFFIXES) + "]"
    cursor.execute(
        f"UPDATE cases_case SET address = ({road_array})[1 + (id % {len(roads)})] "
        f"|| ((id * 7919) % 400 + 1) || '号' || ({suffix_array})[1 + ((id / 7) % 6)] "
        "WHERE is_synthetic AND address LIKE '演示地址%%'"
    )
    cursor.execute("ANALYZE cases_case")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    from bench.console import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.fill import fill
    from civicloop.cases.models import Case
    from civicloop.demo.builder import build
    from civicloop.geo import places
    from civicloop.org.models import Membership, Role, Unit

    call_command("migrate", verbosity=0)
    build(history=False)
    have = Case.objects.filter(is_synthetic=True).count()
    if have < args.cases:
        print(f"filling {args.cases - have:,} cases (have {have:,}) …")
        started = time.perf_counter()
        fill(args.cases - have, events=False)
        print(f"filled in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        started = time.perf_counter()
        give_addresses(cursor)
        print(f"addresses in {time.perf_counter() - started:.0f} s")
        cursor.execute("SELECT count(DISTINCT address) FROM cases_case")
        (distinct,) = cursor.fetchone()
    started = time.perf_counter()
    n_places = places.rebuild()
    print(
        f"gazetteer: {n_places:,} places rebuilt in {(time.perf_counter() - started) * 1000:.0f} ms"
    )
    print(f"{Case.objects.count():,} cases, {distinct:,} distinct addresses, "
          f"database {connection.settings_dict['NAME']}")  # fmt: skip

    centre = Membership.objects.filter(role=Role.DISPATCHER, person__user__isnull=False).first()
    handler = (
        Membership.objects.filter(role=Role.HANDLER, unit__kind=Unit.Kind.STREET_OFFICE,
                                  person__user__isnull=False)
        .select_related("unit", "person__user").order_by("unit__code").first()
    )  # fmt: skip
    runs = [("centre (dispatcher)", centre.person.user, "/console/places/search"),
            (f"handler ({handler.unit.name})", handler.person.user, "/console/places/search"),
            ("public (portal)", None, "/report/places.json")]  # fmt: skip
    for label, user, url in runs:
        client = Client()
        if user:
            client.force_login(user)
        print(f"\n{label}  {url}")
        print(f"  {'query':34} {'q':14} {'p50 ms':>8} {'p95 ms':>8} {'results':>8}")
        for what, q in QUERIES:
            if user is None and what.startswith("address"):
                continue
            client.get(url, {"q": q})
            p50, p95, status, n = measure(client, url, {"q": q}, args.repeat)
            print(f"  {what:34} {q:14} {p50:8.1f} {p95:8.1f} {n if status == 200 else status:>8}")


if __name__ == "__main__":
    main()
