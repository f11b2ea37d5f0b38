"""Keep every process's locator index in step with the place tables."""

from django.db.models.signals import post_delete, post_save

from . import locator
from .models import GeoDataVersion, GridCell, PatrolArea, Region, RoadSection


def places_changed(**kwargs) -> None:
    """Bump the shared version and drop this process's index."""
    if kwargs.get("raw"):
        return
    GeoDataVersion.bump()
    locator.invalidate()


def connect() -> None:
    for model in (Region, GridCell, RoadSection, PatrolArea):
        post_save.connect(places_changed, sender=model, dispatch_uid=f"geo-{model.__name__}-save")
        post_delete.connect(places_changed, sender=model, dispatch_uid=f"geo-{model.__name__}-del")
