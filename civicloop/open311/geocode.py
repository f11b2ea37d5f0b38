"""Turning an Open311 ``address_string`` into a point, as far as the data allows.

Only the compounds (小区/楼院) of the geo app are known by name: when the
address names one, its representative point is used. Anything else is refused
(the client is asked for lat and long); no outside geocoder is called.
"""

from __future__ import annotations

from django.db.models import F, Value
from django.db.models.functions import Length

from civicloop.geo.models import Compound


def geocode(address: str) -> tuple[float, float] | None:
    """(lon, lat) of the compound named in ``address`` (the longest name wins), or None."""
    address = (address or "").strip()
    if len(address) < 2:
        return None
    compound = (
        Compound.objects.annotate(text=Value(address))
        .filter(text__contains=F("name"), geom__isnull=False)
        .annotate(name_length=Length("name"))
        .filter(name_length__gte=2)
        .order_by("-name_length", "code")
        .first()
    )
    if compound is None or compound.geometry is None:
        return None
    point = compound.geometry.representative_point()
    return point.x, point.y
