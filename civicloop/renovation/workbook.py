"""The whole programme as one xlsx workbook, out and back in (round-trip safe).

Sheets: 批次 (batches), 小区项目 (compound projects), 工作项 (work items), 资金
(funding lines). Choices are written as their Chinese names and read back as
a name in Chinese or English or as the code. Columns marked read-only in the
docs (compound name, street, state, adopter, progress of a project) are
written for people and ignored on the way in.

Import checks every row of every sheet first; if any row is wrong, nothing is
written and every error is reported with its sheet and row number. Otherwise
it writes in one transaction: batches and projects are created or updated by
their keys (programme code + batch number, compound code), work items by
their id (a blank id adds an item), and each listed project's funding lines
are replaced by the file's.

Text beginning with ``=``, ``+``, ``-`` or ``@`` is written as a plain string
with Excel's quote prefix, never as a formula (as ``evaluation/ledger.py``).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from civicloop.evaluation.ledger import FORMULA_PREFIXES
from civicloop.geo.models import Compound

from .models import (
    Approach,
    Batch,
    ContentLevel,
    Event,
    Funding,
    Programme,
    Project,
    ProjectClass,
    WorkItem,
    WorkType,
)
from .progress import value as progress_value
from .progress import with_progress

BATCHES = ("批次", ["programme", "programme_name", "seq", "name", "starts_on", "deadline"])
PROJECTS = ("小区项目", ["programme", "batch", "compound", "compound_name", "street",
                     "project_class", "level", "approach", "bid_section", "contractor",
                     "is_pilot", "note", "state", "progress"])  # fmt: skip
ITEMS = ("工作项", ["id", "programme", "compound", "work_type", "title", "quantity", "budget",
                 "progress", "state", "adopted_by"])  # fmt: skip
FUNDING = ("资金", ["programme", "compound", "source", "amount", "note"])
HEADERS = {
    "programme": "改造计划编号", "programme_name": "改造计划名称", "seq": "批次号", "name": "批次名称",
    "starts_on": "开始日期", "deadline": "完成期限", "batch": "批次号", "compound": "小区编码",
    "compound_name": "小区名称（只读）", "street": "街道（只读）", "project_class": "类型",
    "level": "内容等级", "approach": "片区方式", "bid_section": "标段", "contractor": "施工单位",
    "is_pilot": "参与试点", "note": "备注", "state": "状态（只读）", "progress": "进度%",
    "id": "工作项ID", "work_type": "菜单编码", "title": "工作项", "quantity": "工程量",
    "budget": "预算（万元）", "adopted_by": "认领方（只读）", "source": "资金来源",
    "amount": "金额（万元）",
}  # fmt: skip
CHOICES = {"project_class": ProjectClass, "level": ContentLevel, "approach": Approach,
           "source": Funding.Source}  # fmt: skip
YES = {"是", "yes", "true", "1", "y"}
NO = {"否", "no", "false", "0", "n", ""}


class ImportRefused(ValueError):
    """The workbook has errors; ``errors`` lists (sheet, row, message); nothing was written."""

    def __init__(self, errors: list[tuple[str, int, str]]):
        super().__init__("; ".join(f"{s} {r}: {m}" for s, r, m in errors[:20]))
        self.errors = errors


# --- export ------------------------------------------------------------------------------


def _cell(sheet, value, bold=False):
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    if isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def _label(enum, code: str) -> str:
    if not code:
        return ""
    with translation.override("zh-hans"):
        return str(enum(code).label)


def export_programme(programme: Programme) -> bytes:
    """The programme as xlsx bytes (a handful of queries, whatever its size)."""
    book = Workbook(write_only=True)
    sheets = {}
    for title, columns in (BATCHES, PROJECTS, ITEMS, FUNDING):
        sheet = book.create_sheet(title)
        sheet.freeze_panes = "A2"
        sheet.append([_cell(sheet, HEADERS[c], bold=True) for c in columns])
        sheets[title] = sheet
    s = sheets[BATCHES[0]]
    for b in programme.batches.order_by("seq"):
        s.append([_cell(s, v) for v in (programme.code, programme.name, b.seq, b.name,
                                        b.starts_on, b.deadline)])  # fmt: skip
    s = sheets[PROJECTS[0]]
    projects = with_progress(programme.projects.select_related(
        "batch", "compound__community__parent")).order_by("batch__seq", "compound__code")  # fmt: skip
    for p in projects:
        street = p.compound.community.parent.name if p.compound.community.parent else ""
        row = (programme.code, p.batch.seq, p.compound.code, p.compound.name, street,
               _label(ProjectClass, p.project_class), _label(ContentLevel, p.level),
               _label(Approach, p.approach), p.bid_section, p.contractor,
               "是" if p.is_pilot else "否", p.note, _label(Project.State, p.state),
               progress_value(p))  # fmt: skip
        s.append([_cell(s, v) for v in row])
    s = sheets[ITEMS[0]]
    items = WorkItem.objects.filter(project__programme=programme).select_related(
        "project__compound", "work_type", "adoption__unit").order_by("project__compound__code", "id")  # fmt: skip
    for i in items:
        adoption = getattr(i, "adoption", None) if _has_adoption(i) else None
        row = (i.pk, programme.code, i.project.compound.code, i.work_type.code if i.work_type else "",
               i.title, i.quantity, i.budget, i.progress, _label(WorkItem.State, i.state),
               adoption.unit.name if adoption else "")  # fmt: skip
        s.append([_cell(s, v) for v in row])
    s = sheets[FUNDING[0]]
    for f in Funding.objects.filter(project__programme=programme).select_related(
            "project__compound").order_by("project__compound__code", "source", "id"):  # fmt: skip
        row = (programme.code, f.project.compound.code, _label(Funding.Source, f.source), f.amount,
               f.note)  # fmt: skip
        s.append([_cell(s, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _has_adoption(item) -> bool:
    try:
        return item.adoption is not None
    except WorkItem.adoption.RelatedObjectDoesNotExist:
        return False


# --- import -------------------------------------------------------------------------------


@dataclass
class Plan:
    programmes: dict = field(default_factory=dict)  # code -> {name}
    batches: dict = field(default_factory=dict)  # (code, seq) -> fields
    projects: dict = field(default_factory=dict)  # (code, compound code) -> fields
    items: list = field(default_factory=list)  # (row fields)
    funding: dict = field(default_factory=dict)  # (code, compound code) -> [fields]
    errors: list = field(default_factory=list)


def _choice(enum, text: str, *, blank: bool = False):
    text = text.strip()
    if not text:
        return "" if blank else None
    for value, label in enum.choices:
        names = {value, str(label)}
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                names.add(str(enum(value).label))
        # The Chinese term the English names carry in brackets: "quality upgrade (品质型)".
        names |= {n[n.rfind("(") + 1 : -1] for n in list(names) if n.endswith(")") and "(" in n}
        if text in names:
            return value
    return None


def _decimal(text: str):
    try:
        number = Decimal(text.strip() or "0")
    except InvalidOperation:
        return None
    return number.quantize(Decimal("0.01")) if number.is_finite() else None


def _date(text: str):
    text = text.strip()[:10]
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def _rows(book, title, columns, plan):
    if title not in book.sheetnames:
        plan.errors.append((title, 0, _("The sheet is missing.")))
        return []
    rows = list(book[title].iter_rows(values_only=True))
    if not rows:
        return []
    header = [str(h or "").strip() for h in rows[0]]
    wanted = {HEADERS[c]: c for c in columns}
    missing = [h for h in wanted if h not in header]
    if missing:
        plan.errors.append((title, 1, _("Missing column(s): %(c)s.") % {"c": "、".join(missing)}))
        return []
    index = {wanted[h]: n for n, h in enumerate(header) if h in wanted}
    out = []
    for number, row in enumerate(rows[1:], start=2):
        values = {}
        for name, n in index.items():
            v = row[n] if n < len(row) else None
            if isinstance(v, datetime.datetime):
                v = v.date().isoformat()
            elif isinstance(v, datetime.date):
                v = v.isoformat()
            elif isinstance(v, float) and v.is_integer():
                v = int(v)
            values[name] = "" if v is None else str(v).strip()
        if any(values.values()):
            out.append((number, values))
    return out


def read_workbook(data) -> Plan:
    """Check the whole workbook; the plan carries every error (nothing is written here)."""
    plan = Plan()
    try:
        book = load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data,
                             read_only=True, data_only=True)  # fmt: skip
    except Exception as exc:  # openpyxl raises many types for a broken file
        plan.errors.append(("", 0, _("Not a readable xlsx file: %(e)s") % {"e": exc}))
        return plan
    try:
        _read_batches(book, plan)
        _read_projects(book, plan)
        _read_items(book, plan)
        _read_funding(book, plan)
    finally:
        book.close()
    return plan


def _read_batches(book, plan):
    title = BATCHES[0]
    for row, v in _rows(book, *BATCHES, plan):
        err = lambda m, row=row: plan.errors.append((title, row, m))  # noqa: E731
        code, name = v["programme"], v["programme_name"]
        if not code or len(code) > 20:
            err(_("The programme code is required (at most 20 characters)."))
            continue
        if not name:
            err(_("The programme name is required."))
            continue
        plan.programmes.setdefault(code, {"name": name[:100]})
        try:
            seq = int(v["seq"])
        except ValueError:
            err(_("The batch number is a whole number."))
            continue
        starts, deadline = _date(v["starts_on"]), _date(v["deadline"])
        if starts is None or deadline is None:
            err(_("Dates are written YYYY-MM-DD."))
            continue
        if deadline < starts:
            err(_("The deadline cannot be before the start."))
            continue
        if (code, seq) in plan.batches:
            err(_("This batch is listed twice."))
            continue
        plan.batches[(code, seq)] = {"name": (v["name"] or f"第{seq}批")[:60], "starts_on": starts,
                                     "deadline": deadline}  # fmt: skip


def _known_batches(plan):
    known = {(b.programme.code, b.seq) for b in Batch.objects.select_related("programme")}
    return known | set(plan.batches)


def _read_projects(book, plan):
    title = PROJECTS[0]
    batches = _known_batches(plan)
    rows = _rows(book, *PROJECTS, plan)
    compounds = set(Compound.objects.filter(code__in=[v["compound"] for _r, v in rows])
                    .values_list("code", flat=True))  # fmt: skip
    for row, v in rows:
        err = lambda m, row=row: plan.errors.append((title, row, m))  # noqa: E731
        code, compound = v["programme"], v["compound"]
        try:
            seq = int(v["batch"])
        except ValueError:
            err(_("The batch number is a whole number."))
            continue
        if (code, seq) not in batches:
            err(_("There is no batch %(n)s in programme %(p)s.") % {"n": seq, "p": code})
            continue
        if compound not in compounds:
            err(_("There is no compound with code %(c)s.") % {"c": compound})
            continue
        fields = {}
        for name in ("project_class", "level", "approach"):
            value = _choice(CHOICES[name], v[name], blank=name == "approach")
            if value is None:
                err(_("This value is not valid: %(field)s.") % {"field": HEADERS[name]})
                break
            fields[name] = value
        else:
            pilot = v["is_pilot"].lower()
            if pilot not in YES | NO:
                err(_("参与试点 is 是 or 否."))
                continue
            if (code, compound) in plan.projects:
                err(_("This compound is listed twice."))
                continue
            plan.projects[(code, compound)] = {
                **fields, "seq": seq, "bid_section": v["bid_section"][:40],
                "contractor": v["contractor"][:100], "is_pilot": pilot in YES, "note": v["note"],
            }  # fmt: skip


def _known_projects(plan):
    known = {
        (p.programme.code, p.compound.code)
        for p in Project.objects.select_related("programme", "compound")
    }
    return known | set(plan.projects)


def _read_items(book, plan):
    title = ITEMS[0]
    projects = _known_projects(plan)
    menu = set(WorkType.objects.values_list("code", flat=True))
    existing = dict(WorkItem.objects.values_list("pk", "project__compound__code"))
    seen = set()
    for row, v in _rows(book, *ITEMS, plan):
        err = lambda m, row=row: plan.errors.append((title, row, m))  # noqa: E731
        key = (v["programme"], v["compound"])
        if key not in projects:
            err(_("Compound %(c)s has no project in programme %(p)s.") % {"c": key[1], "p": key[0]})
            continue
        pk = None
        if v["id"]:
            try:
                pk = int(v["id"])
            except ValueError:
                err(_("The item id is a whole number (blank for a new item)."))
                continue
            if existing.get(pk) != key[1]:
                err(_("There is no item %(id)s in this compound (leave the id blank for a new one).")
                    % {"id": pk})  # fmt: skip
                continue
            if pk in seen:
                err(_("This item is listed twice."))
                continue
            seen.add(pk)
        if v["work_type"] and v["work_type"] not in menu:
            err(_("There is no such item on the menu: %(v)s.") % {"v": v["work_type"]})
            continue
        title_text = v["title"]
        if not title_text or len(title_text) > 100:
            err(_("Give the item a title of at most 100 characters."))
            continue
        budget, quantity = _decimal(v["budget"]), _decimal(v["quantity"])
        if budget is None or quantity is None:
            err(_("Budget and quantity are numbers."))
            continue
        if budget < 0 or quantity < 0:
            err(
                _("A budget cannot be below zero.")
                if budget < 0
                else _("A quantity cannot be below zero.")
            )
            continue
        try:
            pct = int(Decimal(v["progress"] or "0"))
        except (InvalidOperation, ValueError):
            err(_("Progress is a whole number from 0 to 100."))
            continue
        if not 0 <= pct <= 100:
            err(
                _("Progress cannot be above 100 %.")
                if pct > 100
                else _("Progress cannot be below 0 %.")
            )
            continue
        plan.items.append({"pk": pk, "key": key, "work_type": v["work_type"], "title": title_text,
                           "budget": budget, "quantity": quantity, "progress": pct})  # fmt: skip


def _read_funding(book, plan):
    title = FUNDING[0]
    projects = _known_projects(plan)
    for row, v in _rows(book, *FUNDING, plan):
        err = lambda m, row=row: plan.errors.append((title, row, m))  # noqa: E731
        key = (v["programme"], v["compound"])
        if key not in projects:
            err(_("Compound %(c)s has no project in programme %(p)s.") % {"c": key[1], "p": key[0]})
            continue
        source = _choice(Funding.Source, v["source"])
        amount = _decimal(v["amount"])
        if source is None:
            err(_("This value is not valid: %(field)s.") % {"field": HEADERS["source"]})
            continue
        if amount is None or amount < 0:
            err(_("The amount is a number not below zero."))
            continue
        plan.funding.setdefault(key, []).append({"source": source, "amount": amount,
                                                 "note": v["note"][:200]})  # fmt: skip


def import_programme(data, actor=None) -> dict:
    """Check, then write everything in one transaction; :class:`ImportRefused` if any row is bad.

    ``actor`` (checked against the rule table: the renovation office) is
    recorded in each project's history; trusted callers pass ``None``.
    """
    if actor is not None:
        from .rules import RULES

        RULES.check("import_programme", actor, None, state=False)
    plan = read_workbook(data)
    if plan.errors:
        raise ImportRefused(plan.errors)
    return _write(plan, actor)


@transaction.atomic
def _write(plan: Plan, actor) -> dict:
    counts = {"batches": 0, "projects": 0, "items": 0, "funding": 0}
    programmes = {}
    for code, fields in plan.programmes.items():
        programmes[code], _c = Programme.objects.update_or_create(code=code, defaults=fields)
    for code in {k[0] for k in list(plan.projects) + [i["key"] for i in plan.items]} - set(
        programmes
    ):
        programmes[code] = Programme.objects.get(code=code)
    batches = {}
    for (code, seq), fields in plan.batches.items():
        batches[(code, seq)], _c = Batch.objects.update_or_create(
            programme=programmes[code], seq=seq, defaults=fields)  # fmt: skip
        counts["batches"] += 1
    compounds = {c.code: c for c in Compound.objects.filter(code__in={k[1] for k in plan.projects})}
    from .actions.stages import ensure_stages

    for (code, compound), fields in plan.projects.items():
        seq = fields.pop("seq")
        batch = batches.get((code, seq)) or Batch.objects.get(programme=programmes[code], seq=seq)
        project, created = Project.objects.update_or_create(
            programme=programmes[code], compound=compounds[compound],
            defaults={**fields, "batch": batch})  # fmt: skip
        if created:
            ensure_stages(project)
        counts["projects"] += 1
    projects = {(p.programme.code, p.compound.code): p
                for p in Project.objects.select_related("programme", "compound")}  # fmt: skip
    menu = {w.code: w for w in WorkType.objects.all()}
    for row in plan.items:
        project = projects[row["key"]]
        fields = {"work_type": menu.get(row["work_type"]), "title": row["title"],
                  "budget": row["budget"], "quantity": row["quantity"], "progress": row["progress"]}  # fmt: skip
        if row["pk"]:
            item = WorkItem.objects.get(pk=row["pk"])
            changed = {k: v for k, v in fields.items() if getattr(item, k) != v}
            if changed:
                if changed.get("progress") and item.state == WorkItem.State.PLANNED:
                    changed["state"] = WorkItem.State.UNDERWAY
                WorkItem.objects.filter(pk=item.pk).update(version=item.version + 1, **changed)
                counts["items"] += 1
        else:
            state = WorkItem.State.UNDERWAY if row["progress"] else WorkItem.State.PLANNED
            WorkItem.objects.create(project=project, state=state, **fields)
            counts["items"] += 1
    for key, lines in plan.funding.items():
        project = projects[key]
        Funding.objects.filter(project=project).delete()
        Funding.objects.bulk_create([Funding(project=project, **line) for line in lines])
        counts["funding"] += len(lines)
    from .actions.items import refresh_project_state

    touched = {projects[k] for k in plan.projects} | {projects[i["key"]] for i in plan.items}
    for project in touched:
        refresh_project_state(project)
    if actor is not None:
        from django.utils import timezone

        for project in {projects[k] for k in plan.projects}:
            Event.objects.create(compound_id=project.compound_id, project=project,
                                 subject="project", subject_id=project.pk, action="import",
                                 actor=actor.user if getattr(actor, "user_id", None) else None,
                                 actor_name=str(actor.name)[:100], at=timezone.now(),
                                 data=counts)  # fmt: skip
    return counts
