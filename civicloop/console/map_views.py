"""Map layers of the console: communities, roads, road sections with their chiefs, compounds.

Each layer is GeoJSON drawn from the place tables (WKB, shapely 2), simplified
where it helps, shifted into the tiles' system (``MAP_TILE_CRS``), and cached
per ``GeoDataVersion`` (so an edit of the places shows at once). Names that do
not belong to geo (the road chief of a section) are read fresh on each request
with one query. Streets (with open-case counts) and grid cells (by view) are
``views.map_streets`` and ``views.map_cells``.
"""

from __future__ import annotations

import json

import shapely
from django.core.cache import cache
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from civicloop.geo import display
from civicloop.geo.geometry import metric
from civicloop.geo.models import Compound, GeoDataVersion, Region, Road, RoadSection
from civicloop.geo.places import road_lines
from civicloop.org.models import Membership, Role

from .access import staff_view

CACHE_SECONDS = 3600
#: Simplification tolerance (degrees; 1e-5 is about a metre) per layer.
TOLERANCE = {"communities": 0.00005, "roads": 0.00002, "sections": 0.00002, "compounds": 0}


def _geometry(geometry, tolerance: float) -> dict:
    geometry = display.geometry_to_map(geometry)
    if tolerance:
        geometry = shapely.simplify(geometry, tolerance, preserve_topology=True)
    return json.loads(shapely.to_geojson(shapely.set_precision(geometry, 1e-6)))


def _communities() -> list[dict]:
    streets = dict(Region.objects.filter(level=Region.Level.STREET).values_list("id", "name"))
    rows = Region.objects.filter(level=Region.Level.COMMUNITY, geom__isnull=False).values_list(
        "id", "code", "name", "parent_id", "geom"
    )
    return [
        {
            "type": "Feature",
            "geometry": _geometry(shapely.from_wkb(bytes(geom)), TOLERANCE["communities"]),
            "properties": {
                "id": pk,
                "code": code,
                "name": name,
                "street": streets.get(parent_id, ""),
            },  # fmt: skip
        }
        for pk, code, name, parent_id, geom in rows
    ]


#: Roads carry their name about this often along the line (metres).
LABEL_EVERY_M = 1200


def _label_points(line) -> list[list[float]]:
    """Where to write a road's name: spread along each part of its line, in map coordinates."""
    points = []
    for part in getattr(line, "geoms", [line]):
        n = max(1, int(metric(part).length // LABEL_EVERY_M))
        for i in range(n):
            p = part.interpolate((i + 0.5) / n, normalized=True)
            lon, lat = display.to_map(p.x, p.y)
            points.append([round(lon, 6), round(lat, 6)])
    return points


def _roads() -> list[dict]:
    grades = dict(Road.objects.values_list("id", "grade"))
    return [
        {
            "type": "Feature",
            "geometry": _geometry(line, TOLERANCE["roads"]),
            "properties": {
                "id": pk,
                "name": name,
                "grade": grades.get(pk, ""),
                "labels": _label_points(line),
            },  # fmt: skip
        }
        for pk, name, line in road_lines()
    ]


def _sections() -> list[dict]:
    rows = (
        RoadSection.objects.filter(geom__isnull=False)
        .order_by("road__code", "seq")
        .values_list("id", "name", "road__name", "road__grade", "street__name", "length_m", "geom")
    )
    return [
        {
            "type": "Feature",
            "geometry": _geometry(shapely.from_wkb(bytes(geom)), TOLERANCE["sections"]),
            "properties": {
                "id": pk,
                "name": name,
                "road": road,
                "grade": grade,
                "street": street or "",
                "length_m": round(length or 0),
            },  # fmt: skip
        }
        for pk, name, road, grade, street, length, geom in rows
    ]


def _compounds() -> list[dict]:
    rows = Compound.objects.filter(geom__isnull=False).values_list(
        "id", "code", "name", "community__name", "households", "has_property_management", "geom"
    )
    return [
        {
            "type": "Feature",
            "geometry": _geometry(shapely.from_wkb(bytes(geom)), TOLERANCE["compounds"]),
            "properties": {
                "id": pk,
                "code": code,
                "name": name,
                "community": community or "",
                "households": households,
                "managed": managed,
            },  # fmt: skip
        }
        for pk, code, name, community, households, managed, geom in rows
    ]


BUILDERS = {
    "communities": _communities,
    "roads": _roads,
    "sections": _sections,
    "compounds": _compounds,
}


def layer_features(name: str) -> list[dict]:
    """The layer's features from the cache, built once per geometry version and tile system."""
    key = f"console:layer:{name}:{GeoDataVersion.current()}:{display.system()}"
    features = cache.get(key)
    if features is None:
        features = BUILDERS[name]()
        cache.set(key, features, CACHE_SECONDS)
    return features


def _chiefs() -> dict[int, str]:
    """Section id → the name of its road chief (路长), read fresh: memberships change often."""
    return dict(
        Membership.objects.filter(
            role=Role.ROAD_CHIEF, is_active=True, road_section__isnull=False
        ).values_list("road_section_id", "person__name")
    )


@staff_view
def layer(request, name):
    if name not in BUILDERS:
        raise Http404("No such layer.")
    features = layer_features(name)
    if name == "sections":
        chiefs = _chiefs()
        features = [
            {**f, "properties": {**f["properties"], "chief": chiefs.get(f["properties"]["id"], "")}}
            for f in features
        ]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Cache-Control"] = "private, max-age=60"
    return response


@staff_view
def to_wgs84(request):
    """A point picked on the map (in the tiles' system) as WGS-84, for the forms."""
    try:
        lon, lat = display.from_map(float(request.GET["lon"]), float(request.GET["lat"]))
    except (KeyError, TypeError, ValueError):
        return JsonResponse({"error": _("Give lon and lat as numbers.")}, status=400)
    return JsonResponse({"lon": round(lon, 7), "lat": round(lat, 7)})


def layer_config() -> dict:
    """What the console's maps need to draw the layers (merged into the map config)."""
    url = reverse("console:map_layer", args=["x"])
    return {
        "tileCrs": display.system(),
        "toWgs84Url": reverse("console:map_wgs84") if display.shifted() else "",
        "placesUrl": reverse("console:places_search"),
        "layerUrls": {name: url.replace("/x.json", f"/{name}.json") for name in BUILDERS},
        "labels": {
            "streets": _("Streets"),
            "communities": _("Communities"),
            "roads": _("Roads"),
            "sections": _("Road sections"),
            "compounds": _("Compounds"),
            "cells": _("Grid cells"),
            "cases": _("Open cases"),
            "chief": _("road chief"),
            "noChief": _("no road chief"),
            "households": _("households"),
            "unmanaged": _("no property management"),
            "openCases": pgettext("map", "open cases"),
            "cellsZoomHint": _("zoom in to see grid cells"),
        },
    }
