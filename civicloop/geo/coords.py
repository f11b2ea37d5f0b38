"""Conversion between WGS-84, GCJ-02 and BD-09 coordinates.

Civicloop stores every point in WGS-84. Points from AMap or Tencent arrive in
GCJ-02 and points from Baidu arrive in BD-09; they are converted on the way in
with :func:`to_wgs84`. The public map may ask for GCJ-02 or BD-09 output,
which :func:`from_wgs84` produces.

Axis order: every function here takes and returns ``(lon, lat)``, like GeoJSON
and the rest of Civicloop. The underlying ``prcoords`` package works in
``(lat, lon)``; that order never leaks out of this module. Arguments are never
swapped to "fix" a likely mistake: out-of-range values raise ``ValueError``.

Accuracy: the forward directions (WGS-84 -> GCJ-02 -> BD-09) are the published
closed-form formulas. The inverse directions use prcoords' iterative
("bored", Caijun 2014) inverses, so a round trip comes back within a few
millimetres, far below the accuracy of the source data.

Outside mainland China: GCJ-02 is defined to equal WGS-84 there. As in
prcoords, "in China" means the rough bounding box tested by
``prcoords.sanity_in_china_p`` (latitude 0.8293..55.8271 N, longitude
72.004..137.8347 E), applied to the point being converted (the WGS-84 point
for WGS -> GCJ, the GCJ-02 point for GCJ -> WGS). The box is generous: it also
covers parts of neighbouring countries, and round trips within a few hundred
metres of its edge may not close; neither matters for a Chinese district.
The BD-09 offset is applied everywhere, on top of GCJ-02.

prcoords' own ``wgs_gcj`` warns for every point outside the box, and its
``*_bored`` inverses ignore their ``check_china`` argument; this module does
the box test itself so neither happens.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from prcoords import (
    Coords,
    bd_gcj_bored,
    gcj_bd,
    gcj_wgs_bored,
    sanity_in_china_p,
    wgs_gcj,
)

from civicloop.geo.choices import CoordSystem

__all__ = ["convert", "from_wgs84", "to_wgs84"]

_WGS84 = CoordSystem.WGS84.value
_GCJ02 = CoordSystem.GCJ02.value
_BD09 = CoordSystem.BD09.value
_ALLOWED = ", ".join(repr(value) for value in CoordSystem.values)
# Plain-str canonical values; CoordSystem members hash and compare like them.
_CANONICAL: dict[str, str] = {
    str.__str__(value): str.__str__(value) for value in CoordSystem.values
}

# Internal steps work on prcoords' (lat, lon) Coords.
_Step = Callable[[Coords], Coords]


def _wgs_to_gcj(c: Coords) -> Coords:
    return wgs_gcj(c, False) if sanity_in_china_p(c) else c


def _gcj_to_wgs(c: Coords) -> Coords:
    return gcj_wgs_bored(c) if sanity_in_china_p(c) else c


def _wgs_to_bd(c: Coords) -> Coords:
    return gcj_bd(_wgs_to_gcj(c))


def _bd_to_wgs(c: Coords) -> Coords:
    return _gcj_to_wgs(bd_gcj_bored(c))


_STEPS: dict[tuple[str, str], _Step] = {
    (_WGS84, _GCJ02): _wgs_to_gcj,
    (_GCJ02, _WGS84): _gcj_to_wgs,
    (_GCJ02, _BD09): gcj_bd,
    (_BD09, _GCJ02): bd_gcj_bored,
    (_WGS84, _BD09): _wgs_to_bd,
    (_BD09, _WGS84): _bd_to_wgs,
}


def _system(value: CoordSystem | str, role: str) -> str:
    """Return the plain string value of a coordinate system, or raise ValueError."""
    canonical = _CANONICAL.get(value) if isinstance(value, str) else None
    if canonical is not None:
        return canonical
    raise ValueError(f"Unknown {role} coordinate system {value!r}; allowed values: {_ALLOWED}.")


def _check_point(lon: float, lat: float) -> tuple[float, float]:
    """Return ``(lon, lat)`` as floats after checking they form a valid position."""
    # Strings are parsed by the caller, not here; bool is an int subclass.
    if isinstance(lon, str | bytes | bool) or isinstance(lat, str | bytes | bool):
        raise TypeError(f"Longitude and latitude must be numbers, got {lon!r} and {lat!r}.")
    try:
        lon = float(lon)
        lat = float(lat)
    except (TypeError, ValueError):
        raise TypeError(
            f"Longitude and latitude must be numbers, got {lon!r} and {lat!r}."
        ) from None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValueError(f"Longitude and latitude must be finite numbers, got ({lon!r}, {lat!r}).")
    if not -180.0 <= lon <= 180.0:
        raise ValueError(
            f"Longitude {lon!r} is outside [-180, 180]. Arguments are (lon, lat); "
            "check they are not swapped."
        )
    if not -90.0 <= lat <= 90.0:
        raise ValueError(
            f"Latitude {lat!r} is outside [-90, 90]. Arguments are (lon, lat); "
            "check they are not swapped."
        )
    return lon, lat


def convert(
    lon: float,
    lat: float,
    source: CoordSystem | str,
    target: CoordSystem | str,
) -> tuple[float, float]:
    """Convert a point from ``source`` to ``target`` and return ``(lon, lat)``.

    ``source`` and ``target`` are :class:`CoordSystem` members or their values
    (``"wgs84"``, ``"gcj02"``, ``"bd09"``). Raises ``ValueError`` for an unknown
    system, a non-finite coordinate, a longitude outside [-180, 180] or a
    latitude outside [-90, 90], and ``TypeError`` for non-numeric input.
    """
    src = _system(source, "source")
    dst = _system(target, "target")
    lon, lat = _check_point(lon, lat)
    if src == dst:
        return lon, lat
    out = _STEPS[src, dst](Coords(lat, lon))
    return out[1], out[0]


def to_wgs84(lon: float, lat: float, source: CoordSystem | str) -> tuple[float, float]:
    """Convert a ``source`` point to WGS-84 (the storage system); returns ``(lon, lat)``."""
    return convert(lon, lat, source, _WGS84)


def from_wgs84(lon: float, lat: float, target: CoordSystem | str) -> tuple[float, float]:
    """Convert a stored WGS-84 point to ``target``; returns ``(lon, lat)``."""
    return convert(lon, lat, _WGS84, target)
