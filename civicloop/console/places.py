"""Place search for staff: the gazetteer plus the addresses of earlier cases.

``GET /console/places/search?q=…`` answers JSON ``{"q": …, "results": [...]}``;
each result has ``name``, ``kind``, ``kind_label`` (in the user's language),
``lon``, ``lat`` (WGS-84, what the forms store), ``map_lon``/``map_lat`` (in
the tiles' system, ``MAP_TILE_CRS``), ``context`` and ``ref`` (the id of the
street, community, road, section, compound or cell; empty for crossings and
addresses). Optional ``limit`` (1–20) and ``kinds`` (comma-separated, e.g.
``street,road,address``); anything malformed is a 400 saying why.

Places come from ``civicloop.geo.places``; addresses come from cases the user
may see (``visible_cases``), so a handler never learns addresses outside their
unit's cases. Staff only: anonymous users are sent to the login page, a
signed-in user without any role gets 403.

Case addresses are searched as substrings of ``Case.address`` from three
characters on: on PostgreSQL through the trigram index of migration
``console 0001``; on SQLite, which has no such index, among the latest
``SQLITE_ADDRESS_WINDOW`` cases so a search never scans a million rows.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Max
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicloop.cases.models import Case
from civicloop.cases.permissions import visible_cases
from civicloop.geo import places
from civicloop.geo.models import Place

from .access import staff_view

#: Addresses are searched from this many characters on (a trigram needs three).
ADDRESS_MIN_LENGTH = 3
#: Matching case rows read to find distinct addresses.
ADDRESS_ROWS = 60
#: SQLite only: how many of the latest cases an address search looks through.
SQLITE_ADDRESS_WINDOW = 100_000
ADDRESS_KIND = "address"
#: Rows kept for addresses even when places fill the answer.
ADDRESS_SLOTS = 3
STAFF_KINDS = (*Place.Kind.values, ADDRESS_KIND)


def case_addresses(actor, q: str, limit: int) -> list[dict]:
    """Distinct addresses of cases the actor may see that contain ``q``, newest first."""
    text = " ".join(q.split())
    if len(text) < ADDRESS_MIN_LENGTH:
        return []
    cases = visible_cases(actor, Case.objects.all()).filter(address__contains=text)
    if connection.vendor != "postgresql":
        latest = Case.objects.aggregate(m=Max("id"))["m"] or 0
        cases = cases.filter(id__gt=latest - SQLITE_ADDRESS_WINDOW)
    rows = cases.order_by("-id").values_list("address", "lon", "lat")[:ADDRESS_ROWS]
    label = _("earlier case address")
    found: dict[str, dict] = {}
    for address, lon, lat in rows:
        if address not in found:
            found[address] = places.as_json(address, ADDRESS_KIND, label, lon, lat)
        if len(found) >= limit:
            break
    return list(found.values())


@require_GET
@staff_view
def search(request):
    if not request.actor.roles and not request.user.is_staff:
        return JsonResponse({"error": _("Place search is for staff.")}, status=403)
    try:
        q, limit, kinds = places.parse_params(request.GET, STAFF_KINDS)
    except places.BadQuery as error:
        return JsonResponse({"error": error.message}, status=400)
    place_kinds = tuple(k for k in kinds if k != ADDRESS_KIND) if kinds else None
    hits = []
    if place_kinds is None or place_kinds:
        hits = [places.hit_json(h) for h in places.search(q, limit=limit, kinds=place_kinds)]
    addresses = []
    if kinds is None or ADDRESS_KIND in kinds:
        names = {h["name"] for h in hits}
        addresses = [a for a in case_addresses(request.actor, q, limit) if a["name"] not in names]
    # Addresses fill what places leave free, and keep a few rows even when places abound.
    n = min(len(addresses), max(limit - len(hits), min(ADDRESS_SLOTS, limit)))
    return JsonResponse({"q": q, "results": hits[: limit - n] + addresses[:n]})
