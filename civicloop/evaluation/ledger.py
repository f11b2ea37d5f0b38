"""Ledgers (台账): the cases of a period with all their fields, and every indicator table.

Written with openpyxl in write-only mode (streams rows, so a month of a large
district fits in memory): one sheet per table, Chinese column names, the
header row frozen, an auto-filter over the table and sensible widths.

Text that starts with ``=``, ``+``, ``-`` or ``@`` would be read by a
spreadsheet as a formula (CSV/formula injection): such cells are written as
plain strings (inline string type, never a formula) with Excel's quote prefix,
so the text shows exactly as typed and nothing is evaluated.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from civicloop.cases.models import Case

from . import sections
from .indicators import SCOPES, Table, evaluate
from .periods import Period

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_SHEET_TITLE = 31


def _case_fields() -> list:
    return [f for f in Case._meta.concrete_fields]


def _cell(sheet, value, *, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).replace(tzinfo=None)
    elif isinstance(value, str):
        # Control characters (a vertical tab pasted into a report …) are not
        # allowed in xlsx: openpyxl would refuse the whole ledger.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    if isinstance(value, datetime.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    return cell


def _sheet(workbook: Workbook, title: str, headers: list[str], widths: list[int],
           rows: Iterable[list]) -> int:  # fmt: skip
    sheet = workbook.create_sheet(title[:MAX_SHEET_TITLE])
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([_cell(sheet, h, bold=True) for h in headers])
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    return count


def _width(label: str, kind: str) -> int:
    base = {"datetime": 17, "text": 30, "short": 12}.get(kind, 12)
    return max(base, min(40, len(label) * 2 + 2))


def period_cases(period: Period):
    """Cases reported, dispatched or closed in the period."""
    window = Q()
    for name in ("reported_at", "dispatched_at", "closed_at"):
        window |= Q(**{f"{name}__gte": period.start, f"{name}__lt": period.end})
    return Case.objects.filter(window)


def _case_rows(queryset, fields) -> Iterable[list]:
    relations = [f.name for f in fields if f.is_relation]
    for case in (
        queryset.select_related(*relations).order_by("reported_at", "pk").iterator(chunk_size=2000)
    ):
        row = []
        for f in fields:
            if f.is_relation:
                related = getattr(case, f.name)
                row.append("" if related is None else str(related))
            elif f.choices:
                row.append(getattr(case, f"get_{f.name}_display")())
            else:
                value = getattr(case, f.attname)
                if isinstance(value, bool):
                    value = _("yes") if value else _("no")
                elif value is not None and not isinstance(
                    value, int | float | str | datetime.datetime | datetime.date
                ):
                    value = str(value)
                row.append(value)
        yield row


def _case_sheet(workbook: Workbook, queryset) -> int:
    fields = _case_fields()
    headers = [str(f.verbose_name) for f in fields]
    widths = []
    for f, label in zip(fields, headers, strict=True):
        kind = (
            "datetime" if f.get_internal_type() == "DateTimeField"
            else "text" if f.get_internal_type() == "TextField" or f.name in ("address",)
            else "short"
        )  # fmt: skip
        widths.append(_width(label, kind))
    return _sheet(workbook, _("cases"), headers, widths, _case_rows(queryset, fields))


def indicator_headers(table: Table) -> list[str]:
    scope = table.scope
    return [
        pgettext("evaluation", "rank"), str(scope.entity_label),
        *[str(scope.label_of(k)) for k in scope.columns],
        *[f"{r.label} (%)" for r in scope.rates],
        pgettext("evaluation", "score"), pgettext("evaluation", "grade"), pgettext("evaluation", "previous rank"), pgettext("evaluation", "rank change"), pgettext("evaluation", "score change"),
        pgettext("evaluation", "list"),
    ]  # fmt: skip


def _percent(value: float | None):
    return None if value is None else round(value * 100, 2)


def indicator_rows(table: Table) -> Iterable[list]:
    scope = table.scope
    for row in table.rows:
        mark = (
            pgettext("evaluation", "red list")
            if row.red
            else pgettext("evaluation", "black list")
            if row.black
            else ""
        )
        yield [
            row.rank, row.name, *[row.values.get(k, 0) for k in scope.columns],
            *[_percent(row.rates.get(r.key)) for r in scope.rates],
            row.score, row.grade, row.previous_rank, row.rank_delta, row.score_delta, mark,
        ]  # fmt: skip


def _indicator_sheet(workbook: Workbook, table: Table) -> int:
    headers = indicator_headers(table)
    widths = [8, 28, *[_width(h, "short") for h in headers[2:]]]
    return _sheet(workbook, str(table.scope.label), headers, widths, indicator_rows(table))


def build_ledger(
    period: Period,
    *,
    scopes: Iterable[str] | None = None,
    cases=None,
    as_of: datetime.datetime | None = None,
) -> bytes:
    """The ledger workbook of ``period`` (Chinese headers) as bytes."""
    with translation.override("zh-hans"):
        workbook = Workbook(write_only=True)
        _case_sheet(workbook, cases if cases is not None else period_cases(period))
        for key in scopes or SCOPES:
            _indicator_sheet(workbook, evaluate(key, period, as_of=as_of))
        sections.add_ledger_sheets(workbook, period)  # upper apps' sheets (supervision …)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
