"""``manage.py load_catalogue``: load or refresh the catalogue from its CSV file."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicloop.cases.catalogue_loader import (
    DEFAULT_CATALOGUE_PATH,
    CatalogueError,
    load_catalogue,
)


class Command(BaseCommand):
    help = gettext_lazy(
        "Load the catalogue of classes, small classes, filing standards and time limits "
        "from a CSV file. The whole file is validated first; loading is idempotent."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--path",
            default=str(DEFAULT_CATALOGUE_PATH),
            help=gettext_lazy("CSV file to load (default: the catalogue shipped with Civicloop)."),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Validate and count the changes, then roll them back."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_catalogue(options["path"], dry_run=options["dry_run"])
        except CatalogueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(report))
        if options["dry_run"]:
            self.stdout.write(self.style.WARNING(_("Dry run: nothing was saved.")))
        else:
            self.stdout.write(
                self.style.SUCCESS(_("Catalogue loaded from %(path)s.") % {"path": options["path"]})
            )
