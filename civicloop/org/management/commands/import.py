"""manage.py import KIND FILE: load places or units from a file.

KIND is regions, cells, roads (GeoJSON), compounds (GeoJSON, CSV or xlsx) or
units (CSV or xlsx). The whole file is checked first; if anything is wrong,
every problem is printed, nothing is written and the exit status is 1.

The command lives in org, the higher of the two apps whose data it loads: org
sits above geo and may use geo's importers, while core (below both) may not.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civicloop.core.importing import ImportRejected
from civicloop.geo import importers as geo
from civicloop.org.importers import import_units

IMPORTERS = {
    "regions": geo.import_regions,
    "cells": geo.import_cells,
    "roads": geo.import_roads,
    "compounds": geo.import_compounds,
    "units": import_units,
}


class Command(BaseCommand):
    help = _("Import regions, grid cells, roads, compounds or units from a file.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file")

    def handle(self, *args, kind: str, file: str, **options) -> None:
        try:
            report = IMPORTERS[kind](file)
        except FileNotFoundError as exc:
            raise CommandError(_("No such file: %(f)s") % {"f": file}) from exc
        except ImportRejected as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(
                _("%(n)d problem(s); nothing was imported.") % {"n": len(exc.problems)}
            ) from exc
        self.stdout.write(self.style.SUCCESS(str(report)))
