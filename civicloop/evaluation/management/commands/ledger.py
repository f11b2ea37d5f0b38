"""manage.py ledger --month YYYY-MM --out FILE.xlsx: the ledger (台账) of a month or period."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civicloop.evaluation import periods
from civicloop.evaluation.bulletin import parse_month
from civicloop.evaluation.ledger import build_ledger


class Command(BaseCommand):
    help = "Write the ledger of cases and of every indicator table as an xlsx workbook."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--month", help="YYYY-MM")
        group.add_argument(
            "--period",
            help="any period: 2025-03-14, 2025-W11, 2025-Q1, 2025, 2025-03-01..2025-03-20",
        )
        parser.add_argument("--out", required=True, help="the xlsx file to write")

    def handle(self, *args, month=None, period=None, out, **options):
        try:
            chosen = parse_month(month) if month else periods.parse(period)
        except periods.PeriodError as error:
            raise CommandError(str(error)) from None
        data = build_ledger(chosen)
        try:
            Path(out).write_bytes(data)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": out, "error": error}
            ) from None
        self.stdout.write(_("Ledger of %(period)s written to %(path)s (%(size)d bytes).")
                          % {"period": chosen.key, "path": out, "size": len(data)})  # fmt: skip
