"""The locator: point → grid cell → community → street, and point → road section.

Built once per process from the place tables into shapely 2 STRtrees, then
queried in microseconds. ``get_locator()`` returns the process's index and
rebuilds it when ``GeoDataVersion`` says another process changed the places
(checked at most every ``GEO_INDEX_CHECK_SECONDS``) or when this process saved
a place itself (signals call ``invalidate()``).

A point on the shared edge of two cells belongs to the cell with the lower
code, so the answer never depends on the order of the index. A point in a
cell's hole is not in that cell. A point in no cell but inside a community,
street or district boundary is still inside the district, with the finer
levels left empty. A point in none of them is *outside the district*: that is
an answer (``Location.inside`` is false, with a message), not an exception.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.conf import settings
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from .geometry import LocalProjection


@dataclass(frozen=True, slots=True)
class CellRecord:
    id: int
    code: str
    community_id: int
    area_class: str
    patrol_area_id: int | None
    geometry: BaseGeometry


@dataclass(frozen=True, slots=True)
class RegionRecord:
    id: int
    level: int
    parent_id: int | None
    geometry: BaseGeometry | None = None
    code: str = ""


@dataclass(frozen=True, slots=True)
class SectionRecord:
    id: int
    road_id: int
    geometry: BaseGeometry


@dataclass(frozen=True, slots=True)
class Location:
    """Where a point lies. Ids refer to geo rows; ``None`` where unknown."""

    lon: float
    lat: float
    inside: bool
    cell_id: int | None = None
    cell_code: str | None = None
    area_class: str | None = None
    patrol_area_id: int | None = None
    community_id: int | None = None
    street_id: int | None = None
    district_id: int | None = None
    road_section_id: int | None = None
    road_id: int | None = None
    road_distance_m: float | None = None
    message: str = field(default="", compare=False)

    @property
    def region_ids(self) -> list[int]:
        """Region ids from the finest to the coarsest (for rule matching)."""
        return [r for r in (self.community_id, self.street_id, self.district_id) if r is not None]


class Locator:
    """An in-memory spatial index of the district's places."""

    def __init__(
        self,
        cells: Sequence[CellRecord],
        regions: Sequence[RegionRecord] = (),
        sections: Sequence[SectionRecord] = (),
    ) -> None:
        self._cells = sorted(cells, key=lambda c: c.code)
        self._cell_tree = shapely.STRtree([c.geometry for c in self._cells])
        self._cell_rows = [
            (c.id, c.code, c.area_class, c.patrol_area_id, c.community_id) for c in self._cells
        ]
        self._parent = {r.id: r.parent_id for r in regions}
        self._level = {r.id: r.level for r in regions}
        # Region boundaries answer for points in no cell, finest level first.
        self._region_trees = []
        for level in (3, 2, 1):
            rows = sorted(
                (r for r in regions if r.level == level and r.geometry is not None),
                key=lambda r: r.code,
            )
            if rows:
                tree = shapely.STRtree([r.geometry for r in rows])
                self._region_trees.append((tree, [r.id for r in rows]))
        # Roads are measured in metres on a local plane around the district.
        if self._cells:
            minx, miny, maxx, maxy = shapely.total_bounds([c.geometry for c in self._cells])
        elif sections:
            minx, miny, maxx, maxy = shapely.total_bounds([s.geometry for s in sections])
        else:
            minx = miny = maxx = maxy = 0.0
        self.projection = LocalProjection((minx + maxx) / 2, (miny + maxy) / 2)
        self._sections = list(sections)
        self._section_tree = (
            shapely.STRtree(self.projection.forward(np.array([s.geometry for s in sections])))
            if sections
            else None
        )

    # -- building ---------------------------------------------------------
    @classmethod
    def from_db(cls) -> Locator:
        """Build the index from the place tables (a handful of queries)."""
        from .models import GridCell, Region, RoadSection

        cell_rows = list(
            GridCell.objects.exclude(geom=None).values_list(
                "id", "code", "community_id", "area_class", "patrol_area_id", "geom"
            )
        )
        cell_geoms = shapely.from_wkb([bytes(row[5]) for row in cell_rows])
        cells = [
            CellRecord(r[0], r[1], r[2], r[3], r[4], g)
            for r, g in zip(cell_rows, cell_geoms, strict=True)
        ]
        regions = [
            RegionRecord(rid, level, parent, shapely.from_wkb(bytes(geom)) if geom else None, code)
            for rid, level, parent, geom, code in Region.objects.values_list(
                "id", "level", "parent_id", "geom", "code"
            )
        ]
        sections = [
            SectionRecord(sid, road_id, shapely.from_wkb(bytes(geom)))
            for sid, road_id, geom in RoadSection.objects.exclude(geom=None).values_list(
                "id", "road_id", "geom"
            )
        ]
        return cls(cells, regions, sections)

    @property
    def has_geometry(self) -> bool:
        """Whether any cell or region boundary is known (else nothing is "inside")."""
        return bool(self._cells) or bool(self._region_trees)

    # -- querying ---------------------------------------------------------
    def _chain(self, region_id: int | None) -> dict[int, int]:
        chain: dict[int, int] = {}
        while region_id is not None:
            chain[self._level.get(region_id, 0)] = region_id
            region_id = self._parent.get(region_id)
        return chain

    def locate(self, lon: float, lat: float, road_tolerance_m: float | None = None) -> Location:
        """Locate one WGS-84 point. Raises ``ValueError`` only for non-numbers."""
        try:
            lon, lat = float(lon), float(lat)
        except (TypeError, ValueError) as exc:
            raise ValueError(_("Longitude and latitude must be finite numbers.")) from exc
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise ValueError(_("Longitude and latitude must be finite numbers."))
        point = shapely.Point(lon, lat)
        hits = self._cell_tree.query(point, predicate="intersects")
        cell = None
        region_id = None
        if len(hits):
            cell = self._cell_rows[hits.min()]
            region_id = cell[4]
        else:
            for tree, ids in self._region_trees:
                found = tree.query(point, predicate="intersects")
                if len(found):
                    region_id = ids[found.min()]
                    break
        if region_id is None:
            return Location(lon, lat, inside=False, message=_("The point is outside the district."))
        chain = self._chain(region_id)
        section_id = road_id = distance = None
        tolerance = settings.GEO_ROAD_TOLERANCE_M if road_tolerance_m is None else road_tolerance_m
        if self._section_tree is not None and tolerance > 0:
            x, y = self.projection.forward_xy(lon, lat)
            found, distances = self._section_tree.query_nearest(
                shapely.Point(x, y), max_distance=tolerance, return_distance=True
            )
            if len(found):
                section = self._sections[found[0]]
                section_id, road_id, distance = section.id, section.road_id, float(distances[0])
        return Location(
            lon,
            lat,
            inside=True,
            cell_id=cell[0] if cell else None,
            cell_code=cell[1] if cell else None,
            area_class=cell[2] if cell else None,
            patrol_area_id=cell[3] if cell else None,
            community_id=chain.get(3),
            street_id=chain.get(2),
            district_id=chain.get(1),
            road_section_id=section_id,
            road_id=road_id,
            road_distance_m=distance,
        )

    def locate_many(
        self, lons: Sequence[float], lats: Sequence[float], road_tolerance_m: float | None = None
    ) -> list[Location]:
        """:meth:`locate` for many points, with one vectorised query per index.

        The same answers as one :meth:`locate` per point (the lowest cell code
        on an edge, the nearest section within the tolerance); points in no
        cell, and anything that is not a finite number, go through
        :meth:`locate` itself.
        """
        try:
            lons = [float(v) for v in lons]
            lats = [float(v) for v in lats]
        except (TypeError, ValueError):
            return [self.locate(x, y, road_tolerance_m) for x, y in zip(lons, lats, strict=True)]
        if len(lons) != len(lats):
            raise ValueError("as many longitudes as latitudes")
        if not lons or not self._cells or not all(map(math.isfinite, lons + lats)):
            return [self.locate(x, y, road_tolerance_m) for x, y in zip(lons, lats, strict=True)]
        cells = self.cell_indexes(lons, lats).tolist()
        tolerance = settings.GEO_ROAD_TOLERANCE_M if road_tolerance_m is None else road_tolerance_m
        section_of = [-1] * len(lons)
        distance_of: list[float | None] = [None] * len(lons)
        if self._section_tree is not None and tolerance > 0:
            p = self.projection
            xs = (np.asarray(lons) - p.lon0) * p.kx  # forward_xy, element by element
            ys = (np.asarray(lats) - p.lat0) * p.ky
            (inputs, found), distances = self._section_tree.query_nearest(
                shapely.points(np.column_stack([xs, ys])), max_distance=tolerance,
                return_distance=True,
            )  # fmt: skip
            # the first of equals for each point, as locate() takes
            _unique, first = np.unique(inputs, return_index=True)
            for i, j, d in zip(inputs[first].tolist(), found[first].tolist(),
                               distances[first].tolist(), strict=True):  # fmt: skip
                section_of[i], distance_of[i] = j, d
        # What a cell gives every point in it (cell, area class, patrol area, regions),
        # worked out once per cell met; a section's ids once per section met.
        per_cell: dict[int, tuple] = {}
        per_section: dict[int, tuple] = {-1: (None, None)}
        make, locate, out = Location, self.locate, []
        append = out.append
        for index, lon, lat, j, distance in zip(
            cells, lons, lats, section_of, distance_of, strict=True
        ):
            if index < 0:
                append(locate(lon, lat, road_tolerance_m))
                continue
            known = per_cell.get(index)
            if known is None:
                cell = self._cell_rows[index]
                chain = self._chain(cell[4])
                known = per_cell[index] = (
                    cell[0], cell[1], cell[2], cell[3], chain.get(3), chain.get(2), chain.get(1)
                )  # fmt: skip
            section = per_section.get(j)
            if section is None:
                row = self._sections[j]
                section = per_section[j] = (row.id, row.road_id)
            append(make(lon, lat, True, *known, *section, distance))
        return out

    def cell_indexes(self, lons: Iterable[float], lats: Iterable[float]) -> np.ndarray:
        """Vectorised: the index of each point's cell in code order, -1 if none."""
        points = shapely.points(np.column_stack([np.asarray(lons), np.asarray(lats)]))
        pairs = self._cell_tree.query(points, predicate="intersects")
        lowest = np.full(len(points), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(lowest, pairs[0], pairs[1])  # on an edge, the lowest code wins
        return np.where(lowest == np.iinfo(np.int64).max, -1, lowest)

    def cell_row(self, index: int) -> tuple:
        """(id, code, area_class, patrol_area_id, community_id) of a cell index."""
        return self._cell_rows[index]


_lock = threading.Lock()
_cache: dict = {"locator": None, "version": None, "checked": 0.0}


def invalidate() -> None:
    """Forget this process's index; the next ``get_locator()`` rebuilds it."""
    with _lock:
        _cache["locator"] = None
        _cache["version"] = None


def get_locator() -> Locator:
    """The process's locator, rebuilt when the place data has changed."""
    from .models import GeoDataVersion

    now = time.monotonic()
    locator = _cache["locator"]
    if locator is not None and now - _cache["checked"] < settings.GEO_INDEX_CHECK_SECONDS:
        return locator
    with _lock:
        version = GeoDataVersion.current()
        if _cache["locator"] is None or _cache["version"] != version:
            _cache["locator"] = Locator.from_db()
            _cache["version"] = version
        _cache["checked"] = now
        return _cache["locator"]


def locate(lon: float, lat: float, road_tolerance_m: float | None = None) -> Location:
    """Locate a WGS-84 point with the process's index."""
    return get_locator().locate(lon, lat, road_tolerance_m)
