"""The gazetteer (地名库): every place the database knows by name, searchable as you type.

:func:`rebuild` derives ``Place`` rows from the place tables: streets and
communities (regions of levels 2 and 3), compounds, roads, road sections,
the crossings of two roads (computed with shapely: where two road lines meet,
named "X路与Y路交叉口") and grid cells by code. :func:`ensure_current`
rebuilds them when ``GeoDataVersion`` has moved on since the last build, so
any change to the places (admin, importers, the demo) reaches the search
without a separate step; ``manage.py places`` rebuilds on demand.

:func:`search` finds places by a normalised key: exact matches first, then
prefixes, then the key anywhere in the name. Prefix search uses the plain
index on ``key`` (both databases); the substring search uses a trigram GIN
index on PostgreSQL and a scan of the (small) table on SQLite.

This module knows nothing about cases: the console adds the addresses of
earlier cases on top (``civicloop.console.places``).
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass

import shapely
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from . import display
from .models import Compound, GeoDataVersion, GridCell, Place, Region, Road, RoadSection

#: Two road lines closer than this (degrees, about 11 m) meet at a crossing,
#: so a T-junction drawn a little short still counts.
CROSSING_SNAP_DEG = 0.0001
#: Crossing points of the same two roads closer than this (degrees) are one crossing.
CROSSING_MERGE_DEG = 0.0005
MAX_QUERY_LENGTH = 50
#: Kinds in the order a person most likely means them.
RANK = {
    Place.Kind.STREET: 1,
    Place.Kind.COMMUNITY: 2,
    Place.Kind.ROAD: 3,
    Place.Kind.CROSSING: 4,
    Place.Kind.COMPOUND: 5,
    Place.Kind.SECTION: 6,
    Place.Kind.CELL: 8,
}

_DROP = re.compile(r"[\s·•．.,，、'\"“”‘’()（）\[\]【】—–\-_/]+")


def normalise(text: str) -> str:
    """The search key of a name or a query: NFKC, case-folded, without spaces and punctuation.

    Full-width digits and letters become ASCII (``１２`` → ``12``), so a code
    typed on a Chinese keyboard still matches.
    """
    return _DROP.sub("", unicodedata.normalize("NFKC", text or "").casefold())


@dataclass(frozen=True, slots=True)
class Hit:
    name: str
    kind: str
    lon: float
    lat: float
    context: str = ""
    ref_id: int | None = None


# --- building -------------------------------------------------------------------


def _point_on(geometry: BaseGeometry) -> tuple[float, float]:
    """A point on the place: inside a polygon, halfway along a line."""
    if geometry.geom_type in ("LineString", "MultiLineString"):
        merged = (
            shapely.line_merge(geometry) if geometry.geom_type == "MultiLineString" else geometry
        )
        if merged.geom_type == "MultiLineString":
            merged = max(merged.geoms, key=lambda g: g.length)
        point = merged.interpolate(0.5, normalized=True)
    else:
        point = shapely.point_on_surface(geometry)
    return point.x, point.y


def _place(name, kind, geometry_or_xy, context="", ref_id=None) -> Place:
    if isinstance(geometry_or_xy, tuple):
        lon, lat = geometry_or_xy
    else:
        lon, lat = _point_on(geometry_or_xy)
    return Place(
        name=name[:200], kind=kind, key=normalise(name)[:200], context=context[:200],
        lon=round(lon, 7), lat=round(lat, 7), ref_id=ref_id, rank=RANK[kind],
    )  # fmt: skip


def crossing_name(a: str, b: str) -> str:
    return f"{a}与{b}交叉口"


def road_lines() -> list[tuple[int, str, BaseGeometry]]:
    """Each road's line: its own geometry, or the union of its sections'."""
    parts: dict[int, list[BaseGeometry]] = {}
    for road_id, geom in RoadSection.objects.filter(geom__isnull=False).values_list(
        "road_id", "geom"
    ):
        parts.setdefault(road_id, []).append(shapely.from_wkb(bytes(geom)))
    lines = []
    for pk, name, geom in Road.objects.order_by("code").values_list("id", "name", "geom"):
        if geom is not None:
            line = shapely.from_wkb(bytes(geom))
        elif parts.get(pk):
            line = shapely.line_merge(shapely.union_all(parts[pk]))
        else:
            continue
        if not line.is_empty:
            lines.append((pk, name, line))
    return lines


def crossings(lines: list[tuple[int, str, BaseGeometry]]) -> list[tuple[str, str, float, float]]:
    """Where two roads meet: ``(road, other road, lon, lat)``, one per distinct meeting point."""
    if len(lines) < 2:
        return []
    tree = shapely.STRtree([line for _pk, _name, line in lines])
    left, right = tree.query(
        [line for _pk, _name, line in lines], predicate="dwithin", distance=CROSSING_SNAP_DEG
    )
    found = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j or lines[i][1] == lines[j][1]:
            continue
        a, b = lines[i][2], lines[j][2]
        meet = shapely.intersection(a, b)
        if meet.is_empty:
            # Nearly touching (a T-junction drawn short): the middle of the gap.
            p, q = _nearest(a, b)
            points = [((p.x + q.x) / 2, (p.y + q.y) / 2)]
        else:
            points = [(g.x, g.y) for g in _points_of(meet)]
        kept: list[tuple[float, float]] = []
        for x, y in points:
            if all(abs(x - kx) > CROSSING_MERGE_DEG or abs(y - ky) > CROSSING_MERGE_DEG
                   for kx, ky in kept):  # fmt: skip
                kept.append((x, y))
        found.extend((lines[i][1], lines[j][1], x, y) for x, y in kept)
    return found


def _nearest(a: BaseGeometry, b: BaseGeometry):
    line = shapely.shortest_line(a, b)
    start, end = line.coords[0], line.coords[-1]
    return shapely.Point(start), shapely.Point(end)


def _points_of(geometry: BaseGeometry):
    """The meeting points of an intersection: its points, or a point on each overlap."""
    parts = getattr(geometry, "geoms", [geometry])
    for part in parts:
        if part.geom_type == "Point":
            yield part
        elif not part.is_empty:
            yield shapely.Point(_point_on(part))


def build_rows() -> list[Place]:
    """The gazetteer's rows from the current place tables (not saved)."""
    rows: list[Place] = []
    regions = {
        pk: (name, level, parent_id, geom)
        for pk, name, level, parent_id, geom in Region.objects.filter(
            level__in=(Region.Level.DISTRICT, Region.Level.STREET, Region.Level.COMMUNITY)
        ).values_list("id", "name", "level", "parent_id", "geom")
    }
    for pk, (name, level, parent_id, geom) in regions.items():
        if geom is None or level == Region.Level.DISTRICT:
            continue
        kind = Place.Kind.STREET if level == Region.Level.STREET else Place.Kind.COMMUNITY
        parent = regions.get(parent_id, ("",))[0]
        rows.append(_place(name, kind, shapely.from_wkb(bytes(geom)), parent, pk))
    for pk, name, address, community_id, geom in Compound.objects.filter(
        geom__isnull=False
    ).values_list("id", "name", "address", "community_id", "geom"):
        community = regions.get(community_id, ("",))[0]
        context = " · ".join(x for x in (community, address) if x)
        rows.append(_place(name, Place.Kind.COMPOUND, shapely.from_wkb(bytes(geom)), context, pk))
    lines = road_lines()
    for pk, name, line in lines:
        rows.append(_place(name, Place.Kind.ROAD, line, "", pk))
    street_names = {pk: v[0] for pk, v in regions.items()}
    for pk, name, street_id, geom in RoadSection.objects.filter(geom__isnull=False).values_list(
        "id", "name", "street_id", "geom"
    ):
        context = street_names.get(street_id, "")
        rows.append(_place(name, Place.Kind.SECTION, shapely.from_wkb(bytes(geom)), context, pk))
    for a, b, lon, lat in crossings(lines):
        # Both orders, so "大学路与陇海路" finds what is stored as "陇海路与大学路".
        rows.append(_place(crossing_name(a, b), Place.Kind.CROSSING, (lon, lat)))
        rows.append(
            _place(crossing_name(b, a), Place.Kind.CROSSING, (lon, lat), crossing_name(a, b))
        )
    for pk, code, community_id, lon, lat, geom in GridCell.objects.filter(
        geom__isnull=False
    ).values_list("id", "code", "community_id", "centroid_lon", "centroid_lat", "geom"):
        xy = (lon, lat) if lon is not None else _point_on(shapely.from_wkb(bytes(geom)))
        rows.append(_place(code, Place.Kind.CELL, xy, regions.get(community_id, ("",))[0], pk))
    return rows


def rebuild() -> int:
    """Replace the gazetteer with rows from the current place tables; returns their number."""
    with transaction.atomic():
        GeoDataVersion.objects.get_or_create(pk=1)
        # One builder at a time (PostgreSQL row lock; SQLite serialises writers anyway).
        GeoDataVersion.objects.select_for_update().filter(pk=1).first()
        version = GeoDataVersion.current()
        rows = build_rows()
        Place.objects.all().delete()
        Place.objects.bulk_create(rows, batch_size=2000)
        GeoDataVersion.objects.filter(pk=1).update(places_version=version)
    _checked["at"] = time.monotonic()
    _checked["version"] = version
    return len(rows)


_checked: dict[str, float | int | None] = {"at": 0.0, "version": None}


def ensure_current() -> None:
    """Rebuild the gazetteer if the places changed since it was built (checked now and then)."""
    now = time.monotonic()
    interval = settings.GEO_INDEX_CHECK_SECONDS
    if _checked["version"] is not None and now - float(_checked["at"] or 0) < interval:
        return
    row = GeoDataVersion.objects.filter(pk=1).values_list("version", "places_version").first()
    version, built = row or (0, 0)
    if version != built or (version == 0 and not Place.objects.exists() and _has_places()):
        rebuild()
        return
    _checked["at"] = now
    _checked["version"] = version


def _has_places() -> bool:
    return Region.objects.exists() or Road.objects.exists()


def invalidate() -> None:
    """Forget when the version was last checked (tests, and after a bump in this process)."""
    _checked["at"] = 0.0
    _checked["version"] = None


# --- searching ------------------------------------------------------------------


def clean_query(q: str | None) -> str:
    """The normalised query, or ``ValueError`` when it is empty or too long."""
    if q is None or len(q) > MAX_QUERY_LENGTH:
        raise ValueError("query length")
    key = normalise(q)
    if not key:
        raise ValueError("empty query")
    return key


def _prefix(key: str) -> Q:
    """Keys starting with ``key``.

    SQLite compares text byte by byte (code point order), so a range on the
    plain index finds prefixes; PostgreSQL's trigram index answers
    ``LIKE 'key%'`` under any collation.
    """
    if connection.vendor == "postgresql":
        return Q(key__startswith=key)
    return Q(key__gte=key, key__lt=key + "\U0010ffff")


def search(q: str, *, limit: int = 10, kinds: tuple[str, ...] | None = None) -> list[Hit]:
    """Places whose name matches ``q``: exact, then prefix, then anywhere; best first.

    Within each group shorter names come first, then the kind's ``RANK``.

    ``q`` must be a non-empty query of at most ``MAX_QUERY_LENGTH`` characters
    (``ValueError`` otherwise). At most two queries after the version check.
    """
    key = clean_query(q)
    ensure_current()
    base = Place.objects.all()
    if kinds:
        base = base.filter(kind__in=kinds)
    fields = ("name", "kind", "lon", "lat", "context", "ref_id", "key", "rank")
    prefix_q = _prefix(key)
    # Shorter names are closer matches: "嵩山路" before "嵩山路第1社区".
    ordering = (Length("key"), "rank", "key")
    prefix = list(base.filter(prefix_q).order_by(*ordering).values_list(*fields)[: limit * 3])
    rows = prefix
    if len(prefix) < limit:
        seen = {(r[0], r[1], r[2], r[3]) for r in prefix}
        anywhere = (
            base.filter(key__contains=key)
            .exclude(prefix_q)
            .order_by(*ordering)
            .values_list(*fields)[: limit * 2]
        )
        rows = prefix + [r for r in anywhere if (r[0], r[1], r[2], r[3]) not in seen]

    def order(r):
        exact = r[6] == key
        starts = r[6].startswith(key)
        return (not exact, not starts, len(r[6]), r[7], r[6])

    rows.sort(key=order)
    hits, where = [], set()
    for r in rows:
        if (r[1], r[2], r[3]) in where and r[1] == Place.Kind.CROSSING:
            continue  # the same crossing under its other name
        where.add((r[1], r[2], r[3]))
        hits.append(Hit(name=r[0], kind=r[1], lon=r[2], lat=r[3], context=r[4], ref_id=r[5]))
    return hits[:limit]


# --- answering HTTP searches (console and portal) -------------------------------------

DEFAULT_LIMIT = 10
MAX_LIMIT = 20


class BadQuery(ValueError):
    """A search request that cannot be answered; ``message`` is for the person asking."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_params(params, allowed_kinds: tuple[str, ...]) -> tuple[str, int, tuple[str, ...] | None]:
    """``(q, limit, kinds)`` from a query string (``q``, ``limit``, ``kinds=a,b``), or BadQuery."""
    q = params.get("q")
    try:
        clean_query(q)
    except ValueError:
        raise BadQuery(
            _("Give q: a place name of 1 to %(n)d characters.") % {"n": MAX_QUERY_LENGTH}
        ) from None
    raw = params.get("limit") or str(DEFAULT_LIMIT)
    if not raw.isdecimal() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadQuery(_("limit must be a whole number from 1 to %(n)d.") % {"n": MAX_LIMIT})
    kinds = None
    if params.get("kinds"):
        kinds = tuple(k for k in (v.strip() for v in params["kinds"].split(",")) if k)
        if not kinds or any(k not in allowed_kinds for k in kinds):
            raise BadQuery(
                _("kinds must be a comma-separated list of: %(kinds)s.")
                % {"kinds": ", ".join(allowed_kinds)}
            )
    return q.strip(), int(raw), kinds


def as_json(name: str, kind: str, kind_label: str, lon: float, lat: float,
            context: str = "", ref: int | None = None) -> dict:  # fmt: skip
    """One search result: WGS-84 ``lon``/``lat`` for forms, ``map_*`` in the tiles' system."""
    map_lon, map_lat = display.to_map(lon, lat)
    return {
        "name": name, "kind": kind, "kind_label": kind_label,
        "lon": round(lon, 7), "lat": round(lat, 7),
        "map_lon": round(map_lon, 7), "map_lat": round(map_lat, 7),
        "context": context, "ref": ref,
    }  # fmt: skip


def hit_json(hit: Hit, *, ref: bool = True) -> dict:
    label = str(Place.Kind(hit.kind).label)
    return as_json(hit.name, hit.kind, label, hit.lon, hit.lat, hit.context,
                   hit.ref_id if ref else None)  # fmt: skip


def trigram_available() -> bool:
    """True on PostgreSQL (the migration created ``pg_trgm`` and the GIN index)."""
    return connection.vendor == "postgresql"


__all__ = [
    "Hit",
    "build_rows",
    "clean_query",
    "crossing_name",
    "crossings",
    "ensure_current",
    "invalidate",
    "normalise",
    "rebuild",
    "search",
]
