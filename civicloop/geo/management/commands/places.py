"""Rebuild the gazetteer (``geo.Place``) from the place tables.

Searches rebuild it by themselves when the places changed (``GeoDataVersion``);
run this after loading places by other means or to see what it holds.
"""

from django.core.management.base import BaseCommand
from django.db.models import Count
from django.utils.translation import gettext as _

from civicloop.geo import places
from civicloop.geo.models import Place


class Command(BaseCommand):
    help = _("Rebuild the place search (gazetteer) from regions, compounds, roads and cells.")

    def handle(self, *args, **options):
        n = places.rebuild()
        kinds = dict(Place.Kind.choices)
        for row in Place.objects.values("kind").annotate(n=Count("id")).order_by("kind"):
            self.stdout.write(f"  {kinds.get(row['kind'], row['kind'])}: {row['n']}")
        self.stdout.write(self.style.SUCCESS(_("%(n)d places.") % {"n": n}))
