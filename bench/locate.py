"""Benchmark the locator: points located per second among ≥ 50,000 cells.

Builds a synthetic district of square ~100 m cells around 34.72 N, 113.63 E
(no database needed), plus road sections, then locates random points one at a
time (the intake path) and in bulk. Prints figures; asserts nothing.

    .venv/bin/python bench/locate.py [--cells 50000] [--points 200000]
"""

import argparse
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicloop.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import shapely  # noqa: E402

from civicloop.geo.locator import CellRecord, Locator, RegionRecord, SectionRecord  # noqa: E402


def build(n_cells: int, n_roads: int) -> tuple[Locator, tuple[float, float, float, float]]:
    side = math.ceil(math.sqrt(n_cells))
    lat0, lon0 = 34.72, 113.63
    dlat = 100 / 111_000
    dlon = 100 / (111_000 * math.cos(math.radians(lat0)))
    x0, y0 = lon0 - side * dlon / 2, lat0 - side * dlat / 2
    cells = []
    for i in range(n_cells):
        r, c = divmod(i, side)
        box = shapely.box(x0 + c * dlon, y0 + r * dlat, x0 + (c + 1) * dlon, y0 + (r + 1) * dlat)
        community = 1000 + (i // 100)
        cells.append(
            CellRecord(i + 1, f"410103001{community:03d}{i % 100:02d}", community, "B", None, box)
        )
    regions = [RegionRecord(1, 1, None), RegionRecord(2, 2, 1)]
    regions += [RegionRecord(1000 + k, 3, 2) for k in range(n_cells // 100 + 1)]
    sections = []
    rng = np.random.default_rng(1)
    for k in range(n_roads):
        y = y0 + rng.uniform(0, side * dlat)
        a = x0 + rng.uniform(0, side * dlon * 0.8)
        sections.append(
            SectionRecord(k + 1, k // 5 + 1, shapely.LineString([(a, y), (a + 0.01, y)]))
        )
    started = time.perf_counter()
    locator = Locator(cells, regions, sections)
    print(
        f"index built over {n_cells:,} cells and {n_roads:,} road sections in "
        f"{time.perf_counter() - started:.2f} s"
    )
    return locator, (x0, y0, x0 + side * dlon, y0 + side * dlat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=50_000)
    parser.add_argument("--roads", type=int, default=2_000)
    parser.add_argument("--points", type=int, default=200_000)
    args = parser.parse_args()
    locator, (minx, miny, maxx, maxy) = build(args.cells, args.roads)
    rng = np.random.default_rng(7)
    lons = rng.uniform(minx, maxx, args.points)
    lats = rng.uniform(miny, maxy, args.points)

    pairs = list(zip(lons.tolist(), lats.tolist(), strict=True))
    for lon, lat in pairs[:1000]:  # warm up
        locator.locate(lon, lat, road_tolerance_m=0)
    # CPU time of this process (what holds on a shared machine), not wall time.
    started = time.process_time()
    for lon, lat in pairs:
        locator.locate(lon, lat, road_tolerance_m=0)
    cells_only = time.process_time() - started
    started = time.process_time()
    for lon, lat in pairs:
        locator.locate(lon, lat, road_tolerance_m=30)
    with_roads = time.process_time() - started
    started = time.process_time()
    many = locator.locate_many(lons, lats, road_tolerance_m=30)
    in_blocks = time.process_time() - started
    started = time.process_time()
    found = locator.cell_indexes(lons, lats)
    bulk = time.process_time() - started
    assert len(many) == len(pairs)

    n = args.points
    print(
        f"one at a time, cell + community + street: {n / cells_only:,.0f} points/s, "
        f"{cells_only / n * 1e6:.1f} µs of CPU per point"
    )
    print(
        f"one at a time, plus nearest road within 30 m: {n / with_roads:,.0f} points/s, "
        f"{with_roads / n * 1e6:.1f} µs of CPU per point"
    )
    print(
        f"locate_many (the same answers, roads within 30 m): {n / in_blocks:,.0f} points/s, "
        f"{in_blocks / n * 1e6:.1f} µs of CPU per point"
    )
    print(f"vectorised cell lookup: {n / bulk:,.0f} points/s ({(found >= 0).mean():.1%} inside)")


if __name__ == "__main__":
    main()
