"""The coordinate system of the map's basemap tiles (setting ``MAP_TILE_CRS``).

Civicloop stores WGS-84. Tianditu and OpenStreetMap tiles are drawn in WGS-84
(CGCS2000, the same at city scale), so nothing changes for them. AMap (高德)
and Tencent tiles are drawn in GCJ-02: with ``MAP_TILE_CRS=gcj02`` every point
and layer sent to a map is shifted into GCJ-02 with :mod:`civicloop.geo.coords`
(else it lands 300–600 m off the streets in the picture), and every point
picked on such a map is shifted back to WGS-84 before it is stored.
"""

from __future__ import annotations

import numpy as np
import shapely
from django.conf import settings
from shapely.geometry.base import BaseGeometry

from . import coords
from .choices import CoordSystem

WGS84 = CoordSystem.WGS84.value
#: Tile systems a map can be drawn in (BD-09 tiles use their own projection: not supported).
SUPPORTED = (CoordSystem.WGS84.value, CoordSystem.GCJ02.value)


def system() -> str:
    """The configured tile system: ``"wgs84"`` (default) or ``"gcj02"``."""
    value = (settings.MAP_TILE_CRS or WGS84).strip().lower()
    return value if value in SUPPORTED else WGS84


def shifted() -> bool:
    return system() != WGS84


def to_map(lon: float, lat: float) -> tuple[float, float]:
    """A stored WGS-84 point in the map's system."""
    if not shifted():
        return lon, lat
    return coords.from_wgs84(lon, lat, system())


def from_map(lon: float, lat: float) -> tuple[float, float]:
    """A point picked on the map, in WGS-84 (``ValueError``/``TypeError`` for bad input)."""
    if not shifted():
        return coords.convert(lon, lat, WGS84, WGS84)  # the same checks either way
    return coords.to_wgs84(lon, lat, system())


def _shift_array(points: np.ndarray) -> np.ndarray:
    target = system()
    out = np.empty_like(points)
    for i, (lon, lat) in enumerate(points.tolist()):
        out[i] = coords.from_wgs84(lon, lat, target)
    return out


def geometry_to_map(geometry: BaseGeometry) -> BaseGeometry:
    """A stored geometry in the map's system (unchanged for WGS-84 tiles)."""
    if not shifted():
        return geometry
    return shapely.transform(geometry, _shift_array)
