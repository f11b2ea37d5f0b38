"""Place search for the public: the gazetteer only, never the addresses of cases.

``GET /report/places.json?q=…`` answers like the console's search (``name``,
``kind``, ``kind_label``, ``lon``, ``lat``, ``map_lon``, ``map_lat``,
``context``) over streets, communities, compounds, roads, sections and
crossings. Residents do not know grid cell codes, and other people's
addresses are private, so neither is searched here.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicloop.geo import coords, display, places
from civicloop.geo.models import Place

PUBLIC_KINDS = tuple(
    str(k)
    for k in (
        Place.Kind.STREET,
        Place.Kind.COMMUNITY,
        Place.Kind.COMPOUND,
        Place.Kind.ROAD,
        Place.Kind.SECTION,
        Place.Kind.CROSSING,
    )
)


@require_GET
def search(request):
    try:
        q, limit, kinds = places.parse_params(request.GET, PUBLIC_KINDS)
    except places.BadQuery as error:
        return JsonResponse({"error": error.message}, status=400)
    hits = places.search(q, limit=limit, kinds=kinds or PUBLIC_KINDS)
    response = JsonResponse({"q": q, "results": [places.hit_json(h, ref=False) for h in hits]})
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def map_point(request):
    """A point between the form's WGS-84 and the map's tiles (``to=wgs84`` or ``to=map``)."""
    to = request.GET.get("to")
    try:
        lon, lat = float(request.GET["lon"]), float(request.GET["lat"])
        if to == "wgs84":
            lon, lat = display.from_map(lon, lat)
        elif to == "map":
            lon, lat = display.to_map(*coords.convert(lon, lat, "wgs84", "wgs84"))
        else:
            raise ValueError(to)
    except (KeyError, TypeError, ValueError):
        return JsonResponse({"error": _("Give lon and lat as numbers, and to=wgs84 or to=map.")},
                            status=400)  # fmt: skip
    return JsonResponse({"lon": round(lon, 7), "lat": round(lat, 7)})
