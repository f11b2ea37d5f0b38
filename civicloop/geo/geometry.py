"""Geometry helpers: GeoJSON in, WKB on the row, shapely in memory.

Geometry is stored as WKB in a plain binary column so that SQLite and
PostgreSQL behave alike (no spatial extension needed); spatial queries run in
process on shapely 2 geometries and STRtrees (see ``locator``). Coordinates are
WGS-84 longitude/latitude, in that order, as in GeoJSON.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from shapely.geometry.base import BaseGeometry

# A local equirectangular projection around the district is accurate to well
# under 0.1 % across a district's ~30 km, which is all distances here need.
EARTH_RADIUS_M = 6_371_008.8
_DEG = math.pi / 180.0


class LocalProjection:
    """Project lon/lat degrees to metres on a plane tangent at ``lat0``."""

    def __init__(self, lon0: float, lat0: float) -> None:
        self.lon0 = lon0
        self.lat0 = lat0
        self.kx = EARTH_RADIUS_M * _DEG * math.cos(lat0 * _DEG)
        self.ky = EARTH_RADIUS_M * _DEG

    def forward_xy(self, lon: float, lat: float) -> tuple[float, float]:
        return ((lon - self.lon0) * self.kx, (lat - self.lat0) * self.ky)

    def _forward_array(self, coords: np.ndarray) -> np.ndarray:
        out = np.empty_like(coords)
        out[:, 0] = (coords[:, 0] - self.lon0) * self.kx
        out[:, 1] = (coords[:, 1] - self.lat0) * self.ky
        return out

    def forward(self, geometry: Any) -> Any:
        """Project a geometry (or an array of geometries) to metres."""
        return shapely.transform(geometry, self._forward_array)


def metric(geometry: BaseGeometry) -> BaseGeometry:
    """The geometry in metres on a plane tangent at its own centroid."""
    centre = geometry.centroid
    return LocalProjection(centre.x, centre.y).forward(geometry)


def parse_geojson_geometry(value: Any, allowed: tuple[str, ...]) -> BaseGeometry:
    """Turn a GeoJSON geometry (dict or text) into a valid shapely geometry.

    Raises ``ValidationError`` with a message fit for a person when the value
    is not GeoJSON, is of a type not in ``allowed``, has coordinates outside
    lon/lat ranges, or is not a valid geometry.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValidationError(_("Not valid JSON: %(error)s") % {"error": exc}) from exc
    if not isinstance(value, dict) or "type" not in value:
        raise ValidationError(_("A GeoJSON geometry object with a 'type' is required."))
    if value.get("type") == "Feature":
        value = value.get("geometry") or {}
    gtype = value.get("type")
    if gtype not in allowed:
        raise ValidationError(
            _("Geometry type %(type)s is not accepted here; expected %(allowed)s.")
            % {"type": gtype, "allowed": ", ".join(allowed)}
        )
    try:
        geometry = shapely.from_geojson(json.dumps(value))
    except Exception as exc:  # shapely raises GEOSException and ValueError
        raise ValidationError(_("Unreadable geometry: %(error)s") % {"error": exc}) from exc
    if geometry.is_empty:
        raise ValidationError(_("The geometry is empty."))
    coords = shapely.get_coordinates(geometry)
    if (
        not np.isfinite(coords).all()
        or (np.abs(coords[:, 0]) > 180).any()
        or (np.abs(coords[:, 1]) > 90).any()
    ):
        raise ValidationError(
            _("Coordinates must be WGS-84 longitude and latitude in degrees (lon first).")
        )
    if not geometry.is_valid:
        raise ValidationError(
            _("The geometry is not valid: %(reason)s")
            % {"reason": shapely.is_valid_reason(geometry)}
        )
    return geometry


class GeometryModel(models.Model):
    """Abstract base for rows with a WGS-84 geometry stored as WKB.

    The bounding box is stored too, so that map views can select rows in a
    viewport with ordinary indexed comparisons.
    """

    geom = models.BinaryField(gettext_lazy("geometry (WKB)"), null=True, blank=True, editable=False)
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def geometry(self) -> BaseGeometry | None:
        if self.geom is None:
            return None
        return shapely.from_wkb(bytes(self.geom))

    @geometry.setter
    def geometry(self, value: BaseGeometry | None) -> None:
        if value is None:
            self.geom = None
            self.min_lon = self.min_lat = self.max_lon = self.max_lat = None
            return
        self.geom = shapely.to_wkb(value)
        self.min_lon, self.min_lat, self.max_lon, self.max_lat = value.bounds
        self.derive_from_geometry(value)

    def derive_from_geometry(self, value: BaseGeometry) -> None:
        """Hook for subclasses that store figures derived from the geometry."""

    def geojson(self) -> dict | None:
        geometry = self.geometry
        return None if geometry is None else json.loads(shapely.to_geojson(geometry))
