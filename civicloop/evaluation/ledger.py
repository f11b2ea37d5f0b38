"""Ledgers (台账): the cases of a period with all their fields, and every indicator table.

Written with openpyxl in write-only mode (streams rows, so a month of a large
district fits in memory): one sheet per table, Chinese column names, the
header row frozen, an auto-filter over the table and sensible widths.

Text that starts with ``=``, ``+``, ``-`` or ``@`` would be read by a
spreadsheet as a formula (CSV/formula injection): such cells are written as
plain strings (inline string type, never a formula) with Excel's quote prefix,
so the text shows exactly as typed and nothing is evaluated.

The data rows do not go through openpyxl's cell objects (one ``Cell`` and a
handful of lxml calls per cell made up most of a month's ledger): after the
header, :class:`_RowWriter` writes each row as the XML openpyxl would write
(inline strings, Excel serial dates with one shared date style, the quote
prefix style) and hands lxml's incremental writer one parsed ``<row>``.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from lxml import etree
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell._writer import etree_write_cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as OPENPYXL_ILLEGAL
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from civicloop.cases.models import Case

from . import sections
from .indicators import SCOPES, Table, evaluate
from .periods import Period

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_SHEET_TITLE = 31
MAX_CELL_TEXT = 32_767  # what a cell holds (openpyxl truncates there too)
DATE_FORMAT = "yyyy-mm-dd hh:mm"


def _cell(sheet, value, *, bold: bool = False):
    """A value as written: plain numbers and safe text as they are (openpyxl wraps
    them), dates with a format, formula-like text as an inline string."""
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(sheet, timezone.localtime(value).replace(tzinfo=None))
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, str):
        # Control characters (a vertical tab pasted into a report …) are not
        # allowed in xlsx: openpyxl would refuse the whole ledger.
        if ILLEGAL_CHARACTERS_RE.search(value):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(FORMULA_PREFIXES):
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            cell.quotePrefix = True
            if bold:
                cell.font = Font(bold=True)
            return cell
    if bold:
        cell = WriteOnlyCell(sheet, value)
        cell.font = Font(bold=True)
        return cell
    return value


class _Collect:
    """Stands in for lxml's incremental writer to catch the element openpyxl writes."""

    def __init__(self):
        self.elements = []

    def write(self, element):
        self.elements.append(element)


#: What XML 1.0 cannot carry: openpyxl's C0 controls, lone surrogates and the two
#: non-characters U+FFFE and U+FFFF (a resident's text may hold any of them).
ILLEGAL_CHARACTERS_RE = re.compile(OPENPYXL_ILLEGAL.pattern + "|[\ud800-\udfff\ufffe\uffff]")


def _escape(text: str) -> str:
    """XML text; a carriage return as a reference, or the parser makes it a newline."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))  # fmt: skip


class _RowWriter:
    """The data rows of a write-only sheet, written as openpyxl writes them.

    Installed after the header (``sheet._values_to_row`` and the sheet
    writer's ``write_row``): a row is a list of plain values; each becomes the
    ``<c>`` element openpyxl would write for the value ``_cell`` gives it
    (numbers ``t="n"``, booleans ``t="b"``, text as an inline string, the
    formula-like with the quote-prefix style, times as Excel serials in the
    time zone with the date style). Anything else goes through openpyxl.
    """

    def __init__(self, sheet, columns: int):
        self.sheet = sheet
        self.letters = [get_column_letter(i) for i in range(1, columns + 1)]
        date = WriteOnlyCell(sheet, datetime.datetime(2000, 1, 1))
        date.number_format = DATE_FORMAT
        self.date_style = date.style_id
        quoted = WriteOnlyCell(sheet, "x")
        quoted.quotePrefix = True
        self.quoted_style = quoted.style_id
        self.zone = timezone.get_current_timezone()
        self.epoch = sheet.parent.epoch

    def install(self) -> None:
        self.sheet._values_to_row = lambda values, row_idx: values
        self.sheet._writer.write_row = self.write_row

    def _other(self, value, letter: str, row_idx: int) -> str:
        cell = _cell(self.sheet, value)
        if not isinstance(cell, WriteOnlyCell):
            cell = WriteOnlyCell(self.sheet, cell)
        cell.row, cell.column = row_idx, 1
        out = _Collect()
        etree_write_cell(out, self.sheet, cell, cell.has_style)
        element = out.elements[0]
        element.set("r", f"{letter}{row_idx}")
        return etree.tostring(element, encoding="unicode")

    def write_row(self, xf, values, row_idx) -> None:
        parts = [f'<row r="{row_idx}">']
        add = parts.append
        for letter, value in zip(self.letters, values, strict=False):
            if value is None or value == "":
                continue
            kind = type(value)
            if kind is str:
                if ILLEGAL_CHARACTERS_RE.search(value):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                value = value[:MAX_CELL_TEXT]
                space = ' xml:space="preserve"' if value != value.strip() else ""
                style = f' s="{self.quoted_style}"' if value.startswith(FORMULA_PREFIXES) else ""
                add(f'<c r="{letter}{row_idx}"{style} t="inlineStr"><is><t{space}>'
                    f"{_escape(value)}</t></is></c>")  # fmt: skip
            elif kind is int:
                add(f'<c r="{letter}{row_idx}" t="n"><v>{value}</v></c>')  # exact, any size
            elif kind is float:
                if value == value and value not in (float("inf"), float("-inf")):
                    add(f'<c r="{letter}{row_idx}" t="n"><v>{value!r}</v></c>')
                # NaN and infinities: no number to write, the cell stays empty
            elif kind is bool:
                add(f'<c r="{letter}{row_idx}" t="b"><v>{int(value)}</v></c>')
            elif kind is datetime.datetime and value.tzinfo is not None:
                serial = to_excel(value.astimezone(self.zone).replace(tzinfo=None), self.epoch)
                add(f'<c r="{letter}{row_idx}" s="{self.date_style}" t="n">'
                    f'<v>{serial:.16g}</v></c>')  # fmt: skip
            elif kind is Decimal:
                add(f'<c r="{letter}{row_idx}" t="n"><v>{value:.16g}</v></c>')
            else:
                add(self._other(value, letter, row_idx))
        add("</row>")
        xf.write(etree.fromstring("".join(parts)))


def write_sheet(workbook: Workbook, title: str, headers: list[str], widths: list[int],
           rows: Iterable[list]) -> int:  # fmt: skip
    sheet = workbook.create_sheet(title[:MAX_SHEET_TITLE])
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([_cell(sheet, h, bold=True) for h in headers])
    _RowWriter(sheet, len(headers)).install()
    count = 0
    for row in rows:
        sheet.append(row)
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


@dataclass(frozen=True)
class Column:
    """One case column: the Case field that names it and what is read (joined by spaces)."""

    field: str
    lookups: tuple[str, ...] = ()
    #: "contact" (the reporter's name, phone and e-mail) or "code" (the tracking code): see
    #: docs/privacy.md; the ledger has neither, the export what the rule table allows.
    private: str = ""

    @property
    def reads(self) -> tuple[str, ...]:
        return self.lookups or (self.field,)


#: The case columns of the ledger and of the case-list export, in order. Read
#: with ``values_list`` (one query, no model instances): choices and booleans
#: are mapped through dictionaries built once per workbook.
CASE_COLUMNS = (
    Column("number"), Column("state"), Column("cancel_reason"), Column("source"),
    Column("small_class", ("small_class__full_code", "small_class__name")),
    Column("standard", ("standard__code",)), Column("urgency"), Column("description"),
    Column("address"), Column("street", ("street__name",)),
    Column("community", ("community__name",)), Column("cell", ("cell__code",)),
    Column("area_class"), Column("road_section", ("road_section__name",)),
    Column("road_chief", ("road_chief__name",)), Column("reporter_name", private="contact"),
    Column("reporter_phone", private="contact"), Column("reporter_email", private="contact"),
    # an Open311 app's account of the reporter: it identifies them, like their contacts
    Column("tracking_code", private="code"), Column("external_id", private="contact"),
    Column("proposed_unit", ("proposed_unit__name",)), Column("unit", ("unit__name",)),
    Column("duplicate_of", ("duplicate_of__number",)), Column("fast_lane"),
    Column("self_handled"), Column("reported_at"), Column("filed_at"),
    Column("dispatched_at"), Column("signed_at"), Column("handled_at"), Column("checked_at"),
    Column("closed_at"), Column("cancelled_at"), Column("handling_deadline"),
    Column("limit_amount"), Column("limit_unit"), Column("extension_hours"),
    Column("handled_on_time"), Column("is_overdue"), Column("light"),
    Column("rework_count"), Column("return_count"), Column("extension_count"),
    Column("suspension_count"), Column("supervision_count"), Column("reopen_count"),
    Column("lon"), Column("lat"),
)  # fmt: skip


def case_columns(*, contacts: bool = False, codes: bool = False) -> list[Column]:
    """The columns: the reporter's contacts only if ``contacts``, the tracking code only
    if ``codes``."""
    wanted = {"": True, "contact": contacts, "code": codes}
    return [c for c in CASE_COLUMNS if wanted[c.private]]


def case_headers(columns: list[Column]) -> list[str]:
    return [str(Case._meta.get_field(c.field).verbose_name) for c in columns]


def _converters(columns: list[Column]) -> list:
    """Per column: a function of the values read, built once (labels translated once)."""
    yes, no = _("yes"), _("no")
    out = []
    for column in columns:
        model_field = Case._meta.get_field(column.field)
        if len(column.reads) > 1:
            out.append(lambda *v: " ".join(str(x) for x in v if x not in (None, "")) or None)
        elif model_field.choices:
            labels = {key: str(label) for key, label in model_field.flatchoices}
            out.append(lambda v, labels=labels: labels.get(v, v or None))
        elif model_field.get_internal_type() == "BooleanField":
            out.append(lambda v: None if v is None else yes if v else no)
        elif model_field.get_internal_type() == "DecimalField":
            out.append(lambda v: None if v is None else float(v))
        else:
            # Empty cells are not written at all (a third of a case row).
            out.append(lambda v: None if v == "" else v)
    return out


def case_rows(
    queryset, columns: list[Column], *, ordered: bool = False,
    contact_allowed: Callable[[int | None], bool] | None = None,
) -> Iterable[list]:  # fmt: skip
    """The rows of ``columns`` for the cases of ``queryset`` (one streamed query), in
    report order unless ``ordered`` (the queryset's own order, e.g. a list's sort).

    ``contact_allowed(unit_id)`` says per row whether its contact cells are filled (the
    rule table's ``see_reporter_contact`` for a handling unit's own cases); the cells of
    the other rows are left empty."""
    reads = [name for c in columns for name in c.reads]
    converters = _converters(columns)
    widths = [len(c.reads) for c in columns]
    masked = [i for i, c in enumerate(columns) if c.private == "contact"]
    if contact_allowed is not None and masked:
        reads.append("unit_id")
    else:
        contact_allowed = None
    if not ordered:
        queryset = queryset.order_by("reported_at", "pk")
    for values in queryset.values_list(*reads).iterator(chunk_size=2000):
        row, index = [], 0
        for convert, width in zip(converters, widths, strict=True):
            row.append(convert(*values[index : index + width]))
            index += width
        if contact_allowed is not None and not contact_allowed(values[-1]):
            for i in masked:
                row[i] = None
        yield row


def case_widths(columns: list[Column], headers: list[str]) -> list[int]:
    widths = []
    for column, label in zip(columns, headers, strict=True):
        kind = Case._meta.get_field(column.field).get_internal_type()
        kind = (
            "datetime" if kind == "DateTimeField"
            else "text" if kind == "TextField" or column.field in ("address", "small_class")
            else "short"
        )  # fmt: skip
        widths.append(_width(label, kind))
    return widths


def case_sheet(workbook: Workbook, queryset) -> int:
    """The ledger's case sheet: never the reporter's contacts or tracking codes."""
    columns = case_columns()
    headers = case_headers(columns)
    return write_sheet(workbook, _("cases"), headers, case_widths(columns, headers),
                  case_rows(queryset, columns))  # fmt: skip


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
    return write_sheet(workbook, str(table.scope.label), headers, widths, indicator_rows(table))


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
        # A ledger goes round the centre and the supervision office: no
        # reporter's contacts, no tracking codes (the case-list export has them
        # for the roles that may see them).
        case_sheet(workbook, cases if cases is not None else period_cases(period))
        for key in scopes or SCOPES:
            _indicator_sheet(workbook, evaluate(key, period, as_of=as_of))
        sections.add_ledger_sheets(workbook, period)  # upper apps' sheets (supervision …)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
