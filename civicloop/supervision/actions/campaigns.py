"""Campaign ledgers: create a campaign, update a row's status fields, import and export rows.

A row's status fields are defined per campaign (``Campaign.fields``); every
value is validated by its kind. An update is a compare-and-set on the row's
version with one :class:`~civicloop.supervision.models.CampaignRowEvent`.

Import (xlsx or CSV) is all or nothing: :func:`preview_import` reads the file
and returns every row with its errors (missing columns, duplicate keys, bad
dates or numbers, unknown units, formula text); :func:`import_rows` writes
only a file without a single error, in one transaction. Export
(:func:`export_rows`) writes the same columns back: text that a spreadsheet
would take for a formula is stored as text (xlsx) or escaped with a leading
apostrophe (CSV), and the importer reads both back unchanged, so
import → export → import is the identity.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from civicloop.core.errors import Conflict, Forbidden, Invalid
from civicloop.core.importing import ImportRejected, parse_bool
from civicloop.geo.models import Region
from civicloop.org.models import Person, Role

from ..models import Campaign, CampaignRow, CampaignRowEvent
from ..rules import may_edit_row
from .common import date_value, now_or, text, today_at, unit_value

FIELD_KINDS = ("bool", "int", "percent", "text", "date")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Fixed columns: field name → accepted headers (the first is the exported one).
COLUMNS = {
    "key": ("编号", "key"),
    "name": ("名称", "name"),
    "street": ("街道", "street"),
    "unit": ("责任单位", "unit"),
    "person": ("责任人", "person"),
    "deadline": ("完成时限", "deadline"),
}
REQUIRED_COLUMNS = ("key", "name", "unit", "deadline")


def _value(spec: dict, raw, where: str):
    """One status value of kind ``spec["kind"]`` (:class:`Invalid` naming ``where``)."""
    kind, label = spec.get("kind", "text"), spec.get("label") or spec["key"]
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return False if kind == "bool" else None
    if kind == "bool":
        try:
            return parse_bool(raw)
        except ValueError as error:
            raise Invalid(f"{label}: {error}", where) from None
    if kind in ("int", "percent"):
        try:
            number = int(str(raw).strip().rstrip("%")) if not isinstance(raw, int | float) else raw
            if isinstance(number, float):
                if number != int(number):
                    raise ValueError
                number = int(number)
        except ValueError:
            raise Invalid(_("%(label)s: give a whole number.") % {"label": label}, where) from None
        if kind == "percent" and not 0 <= number <= 100:
            raise Invalid(_("%(label)s: give a number from 0 to 100.") % {"label": label}, where)
        if number < 0:
            raise Invalid(
                _("%(label)s: give a whole number, not negative.") % {"label": label}, where
            )
        return number
    if kind == "date":
        return date_value(raw, where).isoformat()
    return text(raw, where, limit=500)


def clean_values(campaign: Campaign, values: dict, where: str = "values") -> dict:
    cleaned = {}
    for key, raw in (values or {}).items():
        spec = campaign.field(key)
        if spec is None:
            raise Invalid(_("This campaign has no status field %(key)s.") % {"key": key}, where)
        cleaned[key] = _value(spec, raw, f"{where}.{key}" if where == "values" else where)
    return cleaned


def check_create_campaign(actor, **data) -> dict:
    if not actor.first_role(Role.SUPERVISOR, Role.ADMINISTRATOR):
        raise Forbidden(_("Only the supervision office sets up campaigns."))
    fields = list(data.get("fields") or [])
    keys = set()
    for spec in fields:
        if spec.get("kind") not in FIELD_KINDS or not spec.get("key") or spec["key"] in keys:
            raise Invalid(_("Each status field needs a new key and a kind (%(kinds)s).")
                          % {"kinds": ", ".join(FIELD_KINDS)}, "fields")  # fmt: skip
        keys.add(spec["key"])
    done = data.get("done_field")
    if done not in {s["key"] for s in fields if s["kind"] == "bool"}:
        raise Invalid(_("Name the yes/no field that says a row is done."), "done_field")
    return {
        "code": text(data.get("code"), "code", required=True, limit=40),
        "name": text(data.get("name"), "name", required=True, limit=200),
        "description": text(data.get("description"), "description"),
        "row_noun": text(data.get("row_noun") or "compound", "row_noun", limit=20),
        "deadline": date_value(data.get("deadline"), "deadline", required=True),
        "fields": fields, "done_field": done, "channel": data.get("channel"),
    }  # fmt: skip


def create_campaign(actor, **data) -> Campaign:
    cleaned = check_create_campaign(actor, **data)
    if Campaign.objects.filter(code=cleaned["code"]).exists():
        raise Invalid(_("A campaign with this code exists."), "code")
    return Campaign.objects.create(**cleaned)


# --- one row -------------------------------------------------------------------------


def check_update_row(actor, row: CampaignRow, values: dict) -> dict:
    if not may_edit_row(actor, row):
        raise Forbidden(_("This row belongs to another unit."))
    cleaned = clean_values(row.campaign, values)
    if not cleaned:
        raise Invalid(_("Change at least one status field."), "values")
    return cleaned


def do_update_row(
    actor, row: CampaignRow, cleaned: dict, now, action: str = "update"
) -> CampaignRowEvent:
    values = {**row.values, **cleaned}
    done = bool(values.get(row.campaign.done_field))
    fields = {"values": values, "done": done,
              "done_on": (row.done_on or today_at(now)) if done else None}  # fmt: skip
    if done:
        fields["colour"] = "green"
    updated = CampaignRow.objects.filter(pk=row.pk, version=row.version).update(
        **fields, updated_at=now, version=F("version") + 1
    )
    if not updated:
        raise Conflict(_("Someone else changed this row in the meantime. Reload it and try again."))
    changes = {k: [row.values.get(k), v] for k, v in cleaned.items() if row.values.get(k) != v}
    for name, value in fields.items():
        setattr(row, name, value)
    row.version += 1
    return CampaignRowEvent.objects.create(
        row=row, at=now, actor=actor.user if actor.user_id else None, actor_name=actor.name[:60],
        action=action, changes=changes)  # fmt: skip


def update_row(
    actor, row: CampaignRow | int, *, values: dict, version=None, at=None
) -> CampaignRow:
    """A unit (or the office) records progress on a row: some status fields, checked by kind."""
    now = now_or(at)
    with transaction.atomic():
        pk = row.pk if isinstance(row, CampaignRow) else row
        row = CampaignRow.objects.select_related("campaign").filter(pk=pk).first()
        if row is None:
            raise Invalid(_("There is no such row."), "row")
        if version not in (None, "") and int(version) != row.version:
            raise Conflict(
                _("Someone else changed this row in the meantime. Reload it and try again.")
            )
        cleaned = check_update_row(actor, row, values)
        do_update_row(actor, row, cleaned, now)
    return row


# --- import and export -------------------------------------------------------------------


@dataclass
class ParsedRow:
    number: int
    data: dict
    errors: list[str] = field(default_factory=list)


@dataclass
class Preview:
    rows: list[ParsedRow]
    errors: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors and not any(r.errors for r in self.rows)

    def problems(self) -> list[str]:
        out = list(self.errors)
        for row in self.rows:
            out += [_("Row %(n)d: %(error)s") % {"n": row.number, "error": e} for e in row.errors]
        return out


class _Formula(str):
    """A cell that holds a formula (xlsx) or unescaped formula text (CSV)."""


def _read(source, filename: str) -> list[list]:
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")):
        try:
            workbook = load_workbook(source, read_only=True)
        except Exception as error:  # openpyxl raises several kinds for broken files
            raise Invalid(
                _("Not a readable xlsx file: %(error)s") % {"error": error}, "file"
            ) from None
        try:
            rows = []
            for cells in workbook.worksheets[0].iter_rows():
                rows.append([_Formula(c.value) if getattr(c, "data_type", "") == "f" else c.value
                             for c in cells])  # fmt: skip
            return rows
        finally:
            workbook.close()
    if name.endswith((".csv", ".txt")):
        data = source.read() if hasattr(source, "read") else bytes(source)
        try:
            data = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        except UnicodeDecodeError:
            raise Invalid(_("A CSV file must be UTF-8 encoded."), "file") from None
        rows = []
        for row in csv.reader(io.StringIO(data)):
            out = []
            for value in row:
                if value[:1] == "'" and value[1:2] and value[1] in FORMULA_PREFIXES:
                    out.append(value[1:])  # escaped by the exporter
                elif value[:1] in ("=", "@"):
                    out.append(_Formula(value))
                else:
                    out.append(value)
            rows.append(out)
        return rows
    raise Invalid(_("Only .csv and .xlsx files can be imported."), "file")


def _headers(campaign: Campaign) -> dict[str, str]:
    aliases = {}
    for key, names in COLUMNS.items():
        for name in names:
            aliases[name] = key
    for spec in campaign.fields:
        aliases[spec["key"]] = f"f:{spec['key']}"
        if spec.get("label"):
            aliases[spec["label"]] = f"f:{spec['key']}"
    return aliases


def preview_import(campaign: Campaign, source, filename: str) -> Preview:
    """Read and check every row; nothing is written."""
    rows = _read(source, filename)
    if not rows:
        return Preview([], [_("The file is empty.")])
    header = [str(h or "").strip() for h in rows[0]]
    aliases = _headers(campaign)
    errors = []
    unknown = [h for h in header if h and h not in aliases]
    if unknown:
        errors.append(_("Unknown column(s): %(cols)s.") % {"cols": ", ".join(unknown)})
    fields = [aliases.get(h) for h in header]
    missing = [COLUMNS[c][0] for c in REQUIRED_COLUMNS if c not in fields]
    if missing:
        errors.append(_("Missing column(s): %(cols)s.") % {"cols": ", ".join(missing)})
    if errors:
        return Preview([], errors)
    units = {}
    streets = {r.name: r for r in Region.objects.filter(level=Region.Level.STREET)}
    seen: dict[str, int] = {}
    parsed = []
    for number, row in enumerate(rows[1:], start=2):
        cells = dict(zip(fields, row, strict=False))
        if all(v in (None, "") for v in cells.values()):
            continue
        item = ParsedRow(number, {"values": {}})
        for name, value in cells.items():
            if isinstance(value, _Formula):
                item.errors.append(_("%(column)s holds a formula; give the value itself.")
                                   % {"column": header[fields.index(name)]})  # fmt: skip
                cells[name] = None
        try:
            key = text(cells.get("key"), "key", required=True, limit=60)
            if key in seen:
                item.errors.append(
                    _("Key %(key)s is also in row %(row)d.") % {"key": key, "row": seen[key]}
                )
            seen.setdefault(key, number)
            item.data["key"] = key
        except Invalid as error:
            item.errors.append(_("key: %(error)s") % {"error": error.message})
        for name in ("name", "deadline", "unit", "street", "person"):
            raw = cells.get(name)
            try:
                if name == "name":
                    item.data["name"] = text(raw, "name", required=True, limit=200)
                elif name == "deadline":
                    item.data["deadline"] = date_value(raw, "deadline", required=True)
                elif name == "unit":
                    label = str(raw or "").strip()
                    if label not in units:
                        units[label] = unit_value(label, "unit")
                    item.data["unit"] = units[label]
                elif name == "street" and str(raw or "").strip():
                    street = streets.get(str(raw).strip())
                    if street is None:
                        raise Invalid(
                            _("There is no such street: %(value)s.") % {"value": raw}, "street"
                        )
                    item.data["street"] = street
                elif name == "person" and str(raw or "").strip():
                    person = Person.objects.filter(name=str(raw).strip()).first()
                    if person is None:
                        raise Invalid(
                            _("There is no such person: %(value)s.") % {"value": raw}, "person"
                        )
                    item.data["person"] = person
            except Invalid as error:
                item.errors.append(
                    f"{header[fields.index(name)] if name in fields else name}: {error.message}"
                )
        for name, value in cells.items():
            if name and name.startswith("f:"):
                spec = campaign.field(name[2:])
                try:
                    cleaned = _value(spec, value, spec["key"])
                    if cleaned is not None:
                        item.data["values"][spec["key"]] = cleaned
                except Invalid as error:
                    item.errors.append(error.message)
        parsed.append(item)
    return Preview(parsed, [])


def import_rows(actor, campaign: Campaign, source, filename: str, *, at=None) -> tuple[int, int]:
    """Create or update the rows of a file without errors; (created, updated)."""
    if not actor.first_role(Role.SUPERVISOR, Role.ADMINISTRATOR):
        raise Forbidden(_("Only the supervision office imports ledger rows."))
    preview = preview_import(campaign, source, filename)
    if not preview.ok:
        raise ImportRejected(preview.problems())
    now = now_or(at)
    created = updated = 0
    with transaction.atomic():
        existing = {r.key: r for r in campaign.rows.all()}
        for parsed in preview.rows:
            data = parsed.data
            values = data["values"]
            done = bool(values.get(campaign.done_field))
            fields = {"name": data["name"], "street": data.get("street"), "unit": data["unit"],
                      "person": data.get("person"), "deadline": data["deadline"], "values": values,
                      "done": done, "updated_at": now}  # fmt: skip
            row = existing.get(data["key"])
            if row is None:
                row = CampaignRow.objects.create(campaign=campaign, key=data["key"],
                                                 done_on=today_at(now) if done else None, **fields)  # fmt: skip
                created += 1
            else:
                fields["done_on"] = (row.done_on or today_at(now)) if done else None
                CampaignRow.objects.filter(pk=row.pk).update(**fields, version=F("version") + 1)
                updated += 1
            CampaignRowEvent.objects.create(row=row, at=now, actor=actor.user if actor.user_id else None,
                                            actor_name=actor.name[:60], action="import",
                                            changes={"values": values})  # fmt: skip
    return created, updated


def _headers_out(campaign: Campaign) -> list[str]:
    return [names[0] for names in COLUMNS.values()] + [
        s.get("label") or s["key"] for s in campaign.fields]  # fmt: skip


def _cells(campaign: Campaign, row: CampaignRow) -> list:
    out = [row.key, row.name, row.street.name if row.street_id else "", row.unit.name,
           row.person.name if row.person_id else "", row.deadline.isoformat()]  # fmt: skip
    for spec in campaign.fields:
        value = row.values.get(spec["key"])
        if spec["kind"] == "bool":
            value = "是" if value else "否"
        out.append("" if value is None else value)
    return out


def export_rows(campaign: Campaign, rows=None, *, kind: str = "xlsx") -> bytes:
    """The rows as xlsx (or CSV) with the import's columns."""
    rows = rows if rows is not None else campaign.rows.select_related("street", "unit", "person")
    headers = _headers_out(campaign)
    if kind == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_PREFIXES) else v
                             for v in _cells(campaign, row)])  # fmt: skip
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(campaign.name)[:31] or "ledger")
    sheet.append(headers)
    for row in rows:
        cells = []
        for value in _cells(campaign, row):
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = WriteOnlyCell(sheet, value)
            if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
                cell.data_type = "s"
                cell.quotePrefix = True
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


KIND_LABELS = {
    "bool": gettext_lazy("yes/no"), "int": gettext_lazy("whole number"),
    "percent": gettext_lazy("percentage"), "text": gettext_lazy("text"),
    "date": gettext_lazy("date"),
}  # fmt: skip
__all__ = ["create_campaign", "update_row", "preview_import", "import_rows", "export_rows",
           "check_update_row", "do_update_row", "clean_values"]  # fmt: skip
