"""Template filters for maps: points and shapes in the tiles' coordinate system."""

from __future__ import annotations

import json

import shapely
from django import template

from civicloop.geo import display

register = template.Library()


@register.filter
def map_point(point: dict | None) -> dict | None:
    """A case point (``lon``, ``lat``, optional GeoJSON ``cell``) shifted for the tiles."""
    if not point or not display.shifted():
        return point
    lon, lat = display.to_map(point["lon"], point["lat"])
    shifted = {**point, "lon": lon, "lat": lat}
    if point.get("cell"):
        geometry = display.geometry_to_map(shapely.from_geojson(json.dumps(point["cell"])))
        shifted["cell"] = json.loads(shapely.to_geojson(geometry))
    return shifted
