"""Benchmark deadline arithmetic: deadlines and lights per second.

    .venv/bin/python bench/worktime.py

Needs a migrated database (the default calendar is created if missing).
"""

import os
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicloop.settings")

import django  # noqa: E402

django.setup()

from civicloop.worktime.services import TimeUnit, deadline_for, light_at  # noqa: E402


def main() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    start = datetime(2025, 9, 29, 10, tzinfo=tz)
    deadline_for(start, 20, TimeUnit.WORKING_DAYS)  # warm the caches
    for amount, unit in [
        (4, TimeUnit.WORKING_HOURS),
        (20, TimeUnit.WORKING_DAYS),
        (6, TimeUnit.HOURS),
    ]:
        runs = 20_000
        began = time.perf_counter()
        for _ in range(runs):
            deadline = deadline_for(start, amount, unit)
        took = time.perf_counter() - began
        print(
            f"deadline {amount} {unit.value:<14} {runs / took:>10,.0f}/s  {took / runs * 1e6:6.1f} µs"
        )
    now = datetime(2025, 10, 20, 9, tzinfo=tz)
    runs = 20_000
    began = time.perf_counter()
    for _ in range(runs):
        light_at(start, deadline_for(start, 20, TimeUnit.WORKING_DAYS).at, now)
    took = time.perf_counter() - began
    print(f"light of a 20-working-day case   {runs / took:>10,.0f}/s  {took / runs * 1e6:6.1f} µs")
    print(f"(last deadline {deadline.at:%Y-%m-%d %H:%M}, provisional={deadline.provisional})")


if __name__ == "__main__":
    main()
