"""Precision and recall of the supervision item extractor on the labelled set.

The set (civicloop/supervision/extraction/data/labelled.json) is 48 paragraphs
in the style of district news and minutes written for Civicloop, with the
items an officer would register. The registry is the Erqi demo's units and
places, built here from civicloop/demo/erqi.py without a database; working
days come from civicloop.worktime on an in-memory database.

    .venv/bin/python bench/extraction.py [--misses] [--json]
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicloop.settings")
os.environ["DATABASE_URL"] = "sqlite://:memory:"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from civicloop.demo import erqi  # noqa: E402
from civicloop.supervision.extraction import Registry, extract  # noqa: E402
from civicloop.supervision.extraction.registry import PlaceRecord, UnitRecord  # noqa: E402
from civicloop.supervision.extraction.scoring import LABELLED, load_labelled, score  # noqa: E402

DATA = LABELLED.parent
from civicloop.supervision.extraction.units import UnitMatcher  # noqa: E402


def demo_registry() -> Registry:
    """The demo's units and places (same names, kinds and short names as manage.py demo)."""
    units, places = [], []
    next_id = iter(range(1, 10_000))
    for _code, name, short in erqi.DEPARTMENTS:
        units.append(UnitRecord(next(next_id), name, short, "department"))
    for _code, name, short in erqi.CONTRACTORS:
        units.append(UnitRecord(next(next_id), name, short, "contractor"))
    for _code, name, short in erqi.POLICE_BUREAUS:
        units.append(UnitRecord(next(next_id), name, short, "police"))
    for suffix, name, kind, short in erqi.STREETS:
        region = PlaceRecord(next(next_id), name, 2, kind)
        places.append(region)
        office = name if kind == "committee" else (
            f"{name}办事处" if kind == "subdistrict" else f"{name}人民政府")  # fmt: skip
        units.append(UnitRecord(next(next_id), office, short, "street_office", region.id))
        for community, ckind in erqi.NAMED_COMMUNITIES.get(suffix, []):
            places.append(PlaceRecord(next(next_id), community, 3, ckind, region.id))
    return Registry(units=units, places=places, district_name=erqi.DISTRICT[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list every miss")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--set",
        choices=["labelled", "heldout"],
        default="labelled",
        help="labelled.json (default) or heldout.json, written after the extractor",
    )
    args = parser.parse_args()
    call_command("migrate", verbosity=0)  # worktime's default calendar lives in the database
    registry = demo_registry()
    matcher = UnitMatcher(registry)
    paragraphs = load_labelled(DATA / f"{args.set}.json")
    started = time.perf_counter()
    result = score(
        paragraphs, lambda text, day: extract(text, day, registry, matcher=matcher, check=False)
    )
    seconds = time.perf_counter() - started
    figures = result.as_dict()
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        n_items = sum(len(p["items"]) for p in paragraphs)
        empty = sum(1 for p in paragraphs if not p["items"])
        print(
            f"{len(paragraphs)} paragraphs, {n_items} labelled items, "
            f"{empty} paragraphs that must yield nothing; {seconds * 1000:.0f} ms"
        )
        print(
            f"{'':15}{'predicted':>10}{'labelled':>10}{'correct':>9}{'precision':>11}{'recall':>8}"
        )
        for name, c in figures.items():
            print(
                f"{name:15}{c['predicted']:>10}{c['labelled']:>10}{c['correct']:>9}"
                f"{c['precision']:>11.3f}{c['recall']:>8.3f}"
            )
    if args.misses:
        for line in result.misses:
            print(line)


if __name__ == "__main__":
    main()
