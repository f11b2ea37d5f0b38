"""manage.py extract_items FILE --date YYYY-MM-DD: draft supervision items from a report.

Reads a .txt, .md, .docx or PDF (with a text layer), or standard input for
``-``, and prints the items the extractor proposes: JSON for scripts
(``--format json``, the default) or a table for a person. Nothing is
registered; see docs/extraction.md for the fields.
"""

import datetime
import json
import re
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.supervision.extraction import TextError, extract
from civicloop.supervision.extraction.files import MAX_UPLOAD_BYTES, text_from_upload
from civicloop.supervision.extraction.text import check_text

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_report_date(value: str) -> datetime.date:
    """A YYYY-MM-DD date, or CommandError saying what is wrong with it."""
    if not _DATE.match(value or ""):
        raise CommandError(_("--date must be written YYYY-MM-DD, got %(v)r.") % {"v": value})
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("--date %(v)s is not a date of the calendar.") % {"v": value}) from exc


class Command(BaseCommand):
    help = _("Propose supervision items from the text of a report or minutes (registers nothing).")

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help=_("A .txt, .md, .docx or PDF file; - reads standard input.")
        )
        parser.add_argument(
            "--date",
            default=None,
            help=_("The report's date, YYYY-MM-DD; deadlines are read against it (default today)."),
        )
        parser.add_argument("--format", choices=["json", "table"], default="json")

    def handle(self, *args, **options):
        if options["date"] is None:
            report_date = timezone.localdate()
        else:
            report_date = parse_report_date(options["date"])
        text = self._read(options["file"])
        try:
            check_text(text)
            items = extract(text, report_date)
        except TextError as exc:
            raise CommandError(exc.message) from exc
        rows = [item.as_dict() for item in items]
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(self._table(rows, report_date))

    def _read(self, name: str) -> str:
        if name == "-":
            data = sys.stdin.buffer.read(MAX_UPLOAD_BYTES + 1)
            name = "stdin.txt"
        else:
            path = Path(name)
            if not path.is_file():
                raise CommandError(_("No such file: %(name)s") % {"name": name})
            with open(path, "rb") as f:
                data = f.read(MAX_UPLOAD_BYTES + 1)
        try:
            return text_from_upload(name, data)
        except TextError as exc:
            raise CommandError(exc.message) from exc

    def _table(self, rows: list[dict], report_date: datetime.date) -> str:
        deadline, quantity_label, scope, units_label, sentence = (
            _("Deadline"),
            _("Quantity"),
            _("Scope"),
            _("Units"),
            _("Sentence"),
        )
        lines = [
            _("%(n)s draft items, report of %(date)s (nothing registered).")
            % {"n": len(rows), "date": report_date.isoformat()}
        ]
        for number, row in enumerate(rows, 1):
            quantity = "—"
            if row["quantity"] is not None:
                quantity = f"{row['quantity']} {row['quantity_unit']}"
                if row["at_least"]:
                    quantity = _("at least %(q)s") % {"q": quantity}
            per = "—"
            if row["per"]:
                per = _("each %(per)s: %(n)s rows") % {"per": row["per"], "n": len(row["targets"])}
                if row["targets"]:
                    shown = "、".join(row["targets"][:6])
                    per += f" ({shown}{'…' if len(row['targets']) > 6 else ''})"
            units = "、".join(f"{u['name']} ({u['confidence']:.2f})" for u in row["units"]) or "—"
            lines += [
                "",
                f"{number}. {row['requirement']}  [{row['start']}–{row['end']}]",
                f"   {deadline}: {row['deadline'] or '—'}",
                f"   {quantity_label}: {quantity}",
                f"   {scope}: {per}",
                f"   {units_label}: {units}",
                f"   {sentence}: {row['sentence']}",
            ]
        return "\n".join(lines)
