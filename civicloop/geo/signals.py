"""Keep every process's locator index, map layers and gazetteer in step with the place tables."""

from django.db.models.signals import post_delete, post_save

from . import locator, places
from .models import Compound, GeoDataVersion, GridCell, PatrolArea, Region, Road, RoadSection


def places_changed(**kwargs) -> None:
    """Bump the shared version and drop this process's index.

    The gazetteer and the cached map layers follow the version: the next
    search rebuilds the places (``places.ensure_current``) and the layer
    cache keys change.
    """
    if kwargs.get("raw"):
        return
    GeoDataVersion.bump()
    locator.invalidate()
    places.invalidate()


def connect() -> None:
    for model in (Region, GridCell, Road, RoadSection, PatrolArea, Compound):
        post_save.connect(places_changed, sender=model, dispatch_uid=f"geo-{model.__name__}-save")
        post_delete.connect(places_changed, sender=model, dispatch_uid=f"geo-{model.__name__}-del")
