"""manage.py bulletin --month YYYY-MM --out FILE.pdf: the monthly bulletin (通报)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civicloop.evaluation.bulletin import build_bulletin, parse_month
from civicloop.evaluation.periods import PeriodError


class Command(BaseCommand):
    help = "Write the monthly evaluation bulletin as a PDF in Chinese."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--out", required=True, help="the PDF file to write")

    def handle(self, *args, month, out, **options):
        try:
            period = parse_month(month)
        except PeriodError as error:
            raise CommandError(str(error)) from None
        data = build_bulletin(period)
        path = Path(out)
        try:
            path.write_bytes(data)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": out, "error": error}
            ) from None
        self.stdout.write(_("Bulletin of %(month)s written to %(path)s (%(size)d bytes).")
                          % {"month": period.key, "path": out, "size": len(data)})  # fmt: skip
