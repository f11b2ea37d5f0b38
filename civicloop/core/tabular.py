"""Read tabular files (CSV or xlsx) into dictionaries, for the importers.

Headers may be English field names or their Chinese labels; ``aliases`` maps
each accepted header to the field name. Row numbers are kept so that an error
can name the row a person sees in a spreadsheet (header = row 1).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _
from openpyxl import load_workbook


class TabularError(ValueError):
    """A file that cannot be read as a table at all."""


def read_table(
    source: str | Path | IO, aliases: dict[str, str], filename: str | None = None
) -> list[tuple[int, dict[str, str]]]:
    """Rows as (row number, {field: text}) with headers mapped through ``aliases``."""
    name = filename or str(getattr(source, "name", source))
    try:
        if name.lower().endswith((".xlsx", ".xlsm")):
            rows = _xlsx_rows(source)
        elif name.lower().endswith((".csv", ".txt")):
            rows = _csv_rows(source)
        else:
            raise TabularError(_("Only .csv and .xlsx files can be imported."))
    except (OSError, csv.Error) as exc:
        raise TabularError(_("The file cannot be read: %(error)s") % {"error": exc}) from exc
    if not rows:
        raise TabularError(_("The file is empty."))
    header = [str(h or "").strip() for h in rows[0]]
    unknown = [h for h in header if h and h not in aliases]
    if unknown:
        raise TabularError(_("Unknown column(s): %(cols)s.") % {"cols": ", ".join(unknown)})
    fields = [aliases.get(h) for h in header]
    repeated = {f for f in fields if f is not None and fields.count(f) > 1}
    if repeated:
        raise TabularError(
            _("Column(s) given twice: %(cols)s.")
            % {"cols": ", ".join(h for h in header if aliases.get(h) in repeated)}
        )
    result = []
    for number, row in enumerate(rows[1:], start=2):
        values = {
            f: ("" if v is None else str(v).strip())
            for f, v in zip(fields, row, strict=False)
            if f is not None
        }
        if any(values.values()):
            result.append((number, values))
    return result


def _csv_rows(source: str | Path | IO) -> list[list]:
    data = Path(source).read_bytes() if isinstance(source, str | Path) else source.read()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TabularError(_("A CSV file must be UTF-8 encoded.")) from exc
    return list(csv.reader(io.StringIO(data)))


def _xlsx_rows(source: str | Path | IO) -> list[list]:
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for broken files
        raise TabularError(_("Not a readable xlsx file: %(error)s") % {"error": exc}) from exc
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()
