"""Supervision (督查督办) for field apps: items, one endpoint per action, campaigns and rows.

Lists have the shape of ``/api/cases`` (``count, page, page_size, pages,
items``). What a user may not see answers 404, like something that does not
exist; every change goes through :mod:`civicloop.supervision.actions`.
"""

from typing import Literal

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from civicloop.core.errors import Invalid
from civicloop.org.models import Unit
from civicloop.supervision import actions as sv
from civicloop.supervision.actions.campaigns import update_row
from civicloop.supervision.models import (
    Campaign,
    CampaignRow,
    Colour,
    ExtensionRequest,
    Item,
    State,
)
from civicloop.supervision.queries import campaign_list, rollup
from civicloop.supervision.rules import TABLE, available, visible_items, visible_rows
from civicloop.supervision.timeline import timeline

from ..auth import actor
from ..errors import not_found
from ..schemas import ERRORS, MAX_NOTE, Id, In, Page, PageIn, Version, choices_pattern, text
from .common import paginate

router = Router(tags=["supervision"])
PHOTOS = File(None, description="JPEG, PNG or WebP photos (multipart), up to 9.")
FILES = File(None, description="PDF, Word, Excel, text or CSV files, up to 10 MB each.")


# --- schemas -----------------------------------------------------------------------


class RefOut(Schema):
    id: int
    name: str
    code: str = ""


class ItemOut(Schema):
    id: int
    number: str
    title: str
    state: str
    colour: str = Field(
        ..., description="green, blue (deadline near), yellow (behind), red (overdue)"
    )
    source: str
    start: str
    deadline: str
    lead_unit: RefOut
    person: RefOut
    post: str
    responsibility: str
    done_percent: int
    completion: str
    red_count: int
    version: int


class ItemPageOut(Page):
    items: list[ItemOut]


class ItemEventOut(Schema):
    at: str
    action: str
    label: str
    actor: str
    role: str
    unit: str
    note: str
    to_state: str
    attachments: list[str]


class ExtensionOut(Schema):
    id: int
    new_deadline: str
    reason: str
    status: str


class ItemDetailOut(ItemOut):
    requirement: str
    source_title: str
    source_date: str | None
    minutes: str
    case: int | None
    cooperating_units: list[RefOut]
    target_quantity: str | None
    target_noun: str
    target_at_least: bool
    done_quantity: str
    reporting: str
    chase_count: int
    interview_count: int
    actions: list[str] = Field(..., description="What this user may do now (the rule table).")
    extension_requests: list[ExtensionOut]
    timeline: list[ItemEventOut]


class ItemFilters(In):
    state: str | None = Field(None, description="Comma-separated states.",
                              pattern=choices_pattern(State.values))  # fmt: skip
    colour: str | None = Field(None, description="Comma-separated: green, blue, yellow, red.",
                               pattern=choices_pattern(Colour.values))  # fmt: skip
    unit: str | None = Field(None, description="Lead unit id or code.")
    mine: bool = Field(False, description="Only items of my units (lead or cooperating).")


class RegisterIn(In):
    title: text(200, required=True)
    requirement: text(MAX_NOTE, required=True)
    lead_unit: text(4000, required=True)
    person: text(4000, required=True)
    post: text(100, required=True)
    responsibility: text(4000, required=True)
    deadline: str | None = Field(None, description="A date (2019-07-30) …")
    deadline_days: int | None = Field(None, description="… or a number of working days.")
    start: str | None = None
    cooperating_units: str | None = Field(None, description="Comma-separated unit ids or codes.")
    source: Literal["meeting", "instruction", "inspection", "case"] = "meeting"
    source_title: str = ""
    source_date: str | None = None
    minutes: str = ""
    target_quantity: str | None = None
    target_noun: str = ""
    target_at_least: bool = False
    reporting: Literal["one_off", "weekly", "monthly", "custom"] = "one_off"
    reporting_days: int | None = None
    case: Id | None = Field(None, description="The case this item is escalated from.")


class ItemVersioned(In):
    version: Version | None = Field(
        None, description="The item version the user saw (409 if changed)."
    )


class ItemNoteIn(ItemVersioned):
    note: text(MAX_NOTE) = ""


class ItemReasonIn(ItemVersioned):
    reason: text(MAX_NOTE, required=True)


class AssignIn(ItemNoteIn):
    lead_unit: str | None = None
    person: str | None = None
    post: str | None = None
    responsibility: str | None = None
    cooperating_units: str | None = Field(None, description="Comma-separated unit ids or codes.")


class ProgressIn(ItemVersioned):
    note: text(MAX_NOTE, required=True)
    percent: int | None = None
    quantity: str | None = None


class ItemExtensionIn(ItemVersioned):
    new_deadline: str = Field(..., description="A date (2019-07-30) after the current deadline.")
    reason: text(MAX_NOTE, required=True)


class DecideExtensionIn(ItemNoteIn):
    new_deadline: str | None = None


class InterviewIn(ItemNoteIn):
    on: str | None = None


class CampaignOut(Schema):
    id: int
    code: str
    name: str
    row_noun: str
    deadline: str
    total: int
    completed: int
    red: int
    overdue: int


class CampaignPageOut(Page):
    items: list[CampaignOut]


class FieldOut(Schema):
    key: str
    label: str
    kind: str


class RollupOut(Schema):
    name: str | None
    total: int
    completed: int
    red: int
    overdue: int
    light: str


class CampaignDetailOut(CampaignOut):
    description: str
    fields: list[FieldOut]
    done_field: str
    units: list[RollupOut]
    streets: list[RollupOut]


class RowOut(Schema):
    id: int
    key: str
    name: str
    street: str | None
    unit: RefOut
    person: str | None
    deadline: str
    values: dict
    done: bool
    colour: str
    version: int
    editable: bool


class RowPageOut(Page):
    items: list[RowOut]


class RowFilters(In):
    unit: str | None = Field(None, description="Unit id or code.")
    colour: str | None = Field(None, description="Comma-separated colours.")
    done: bool | None = None


class RowIn(ItemVersioned):
    values: dict = Field(..., description="Status fields to change, by key.")


# --- helpers -----------------------------------------------------------------------


def _ref(obj) -> dict:
    return {"id": obj.pk, "name": obj.name, "code": getattr(obj, "code", "")}


def _date(value) -> str | None:
    return value.isoformat() if value else None


def item_out(item: Item) -> dict:
    return {
        "id": item.pk, "number": item.number, "title": item.title, "state": item.state,
        "colour": item.colour, "source": item.source, "start": item.start.isoformat(),
        "deadline": item.deadline.isoformat(), "lead_unit": _ref(item.lead_unit),
        "person": _ref(item.person), "post": item.post, "responsibility": item.responsibility,
        "done_percent": item.done_percent, "completion": item.completion,
        "red_count": item.red_count, "version": item.version,
    }  # fmt: skip


def _choices(value, allowed, field) -> list[str]:
    items = [v.strip() for v in (value or "").split(",") if v.strip()]
    for item in items:
        if item not in allowed:
            raise Invalid(_("%(value)s is not a valid %(field)s.") % {"value": item, "field": field},
                          field)  # fmt: skip
    return items


def _unit_q(value: str, field: str = "lead_unit"):
    value = value.strip()
    unit = Unit.objects.filter(code=value).first()
    if unit is None and value.isdecimal() and len(value) < 19:
        unit = Unit.objects.filter(pk=int(value)).first()
    if unit is None:
        raise Invalid(_("There is no such unit: %(value)s.") % {"value": value}, "unit")
    return unit.pk


def _visible_item(request, item_id: Id) -> Item:
    item = (
        visible_items(actor(request), Item.objects.filter(pk=item_id))
        .select_related("lead_unit", "person")
        .prefetch_related("cooperating_units",
                          Prefetch("extension_requests", queryset=ExtensionRequest.objects.order_by("-id")))
        .first()
    )  # fmt: skip
    if item is None:
        raise not_found(_("There is no such item."))
    return item


def detail_out(who, item: Item) -> dict:
    return {
        **item_out(item), "requirement": item.requirement, "source_title": item.source_title,
        "source_date": _date(item.source_date), "minutes": item.minutes, "case": item.case_id,
        "cooperating_units": [_ref(u) for u in item.cooperating_units.all()],
        "target_quantity": str(item.target_quantity) if item.target_quantity is not None else None,
        "target_noun": item.target_noun, "target_at_least": item.target_at_least,
        "done_quantity": str(item.done_quantity), "reporting": item.reporting,
        "chase_count": item.chase_count, "interview_count": item.interview_count,
        "actions": available(who, item),
        "extension_requests": [
            {"id": r.pk, "new_deadline": r.new_deadline.isoformat(), "reason": r.reason,
             "status": r.status} for r in item.extension_requests.all()
        ],
        "timeline": [
            {"at": timezone.localtime(line.at).isoformat(), "action": line.action,
             "label": line.label, "actor": line.actor, "role": line.role, "unit": line.unit,
             "note": line.note, "to_state": line.to_state,
             "attachments": [a.file.url for a in line.attachments]}
            for line in timeline(item)
        ],
    }  # fmt: skip


# --- items -------------------------------------------------------------------------


@router.get("/supervision/items", response={200: ItemPageOut, **ERRORS})
def list_items(request, filters: Query[ItemFilters], paging: Query[PageIn]):
    """The supervised items this user may see, nearest deadline first."""
    who = actor(request)
    items = visible_items(who, Item.objects.select_related("lead_unit", "person"))
    if states := _choices(filters.state, State.values, "state"):
        items = items.filter(state__in=states)
    if colours := _choices(filters.colour, Colour.values, "colour"):
        items = items.filter(colour__in=colours)
    if filters.unit:
        items = items.filter(lead_unit_id=_unit_q(filters.unit))
    if filters.mine:
        units = who.unit_ids()
        cooperating = Item.cooperating_units.through.objects.filter(unit_id__in=units)
        items = items.filter(Q(lead_unit_id__in=units) | Q(pk__in=cooperating.values("item_id")))
    page = paginate(items.order_by("deadline", "id"), paging.page, paging.page_size)
    page["items"] = [item_out(i) for i in page["items"]]
    return page


@router.post("/supervision/items", response={201: ItemDetailOut, **ERRORS})
def register(request, payload: Form[RegisterIn]):
    """Register an item (the office, or a district leader's instruction)."""
    data = payload.dict()
    data["cooperating_units"] = data.get("cooperating_units") or []
    item = sv.register_item(actor(request), **data)
    return Status(201, detail_out(actor(request), _visible_item(request, item.pk)))


@router.get("/supervision/items/{item_id}", response={200: ItemDetailOut, **ERRORS})
def item_detail(request, item_id: Id):
    """One item with its timeline, extension requests and the actions this user may take."""
    return detail_out(actor(request), _visible_item(request, item_id))


def _action(name: str, body, *, uploads: bool = False):
    path = f"/supervision/items/{{item_id}}/actions/{name}"
    label = str(TABLE[name].label)
    decorator = router.post(path, response={200: ItemDetailOut, **ERRORS},
                            operation_id=f"supervision_{name}", summary=label)  # fmt: skip

    def run(request, item_id, payload, photos=(), files=()):
        _visible_item(request, item_id)
        data = payload.dict()
        version = data.pop("version", None)
        if name == "assign" and data.get("cooperating_units") is not None:
            data["cooperating_units"] = [
                v for v in data["cooperating_units"].split(",") if v.strip()
            ]
        if uploads:
            data.update(photos=photos or (), files=files or ())
        sv.act(actor(request), item_id, name, version=version, **data)
        return detail_out(actor(request), _visible_item(request, item_id))

    if uploads:

        def endpoint(request, item_id: Id, payload: Form[body],
                     photos: list[UploadedFile] = PHOTOS, files: list[UploadedFile] = FILES):  # fmt: skip
            return run(request, item_id, payload, photos, files)

    else:

        def endpoint(request, item_id: Id, payload: Form[body]):
            return run(request, item_id, payload)

    endpoint.__name__ = f"supervision_{name}"
    endpoint.__doc__ = _doc(name)
    return decorator(endpoint)


def _doc(name: str) -> str:
    t = TABLE[name]
    roles = ", ".join(t.roles) or "anyone in scope"
    states = ", ".join(t.from_states) or "any state"
    return f"{t.label} — roles: {roles}; in: {states}."


BODIES = {
    "assign": (AssignIn, False), "sign": (ItemNoteIn, False), "report_progress": (ProgressIn, True),
    "report_part": (ItemNoteIn, True), "submit_completion": (ProgressIn, True),
    "pass_review": (ItemNoteIn, False), "reject_review": (ItemReasonIn, False), "close": (ItemNoteIn, False),
    "reopen": (ItemReasonIn, False), "request_extension": (ItemExtensionIn, False),
    "approve_extension": (DecideExtensionIn, False), "reject_extension": (ItemNoteIn, False),
    "chase": (ItemNoteIn, False), "order_interview": (InterviewIn, False),
}  # fmt: skip
for _name, (_body, _uploads) in BODIES.items():
    _action(_name, _body, uploads=_uploads)


# --- campaigns and rows ---------------------------------------------------------------


def _today():
    return timezone.localdate()


def campaign_out(c) -> dict:
    return {"id": c.pk, "code": c.code, "name": c.name, "row_noun": c.row_noun,
            "deadline": c.deadline.isoformat(), "total": c.total, "completed": c.completed,
            "red": c.red, "overdue": c.overdue}  # fmt: skip


def _campaigns(who):
    """Campaigns with rows this user sees (all for the office and leaders)."""
    from civicloop.supervision.rules import sees_all

    queryset = Campaign.objects.all()
    if not sees_all(who):
        queryset = queryset.filter(rows__unit_id__in=who.unit_ids()).distinct()
    return queryset


@router.get("/supervision/campaigns", response={200: CampaignPageOut, **ERRORS})
def list_campaigns(request, paging: Query[PageIn]):
    """Campaign ledgers with their row counts (done, red, overdue)."""
    who = actor(request)
    queryset = campaign_list(_today(), Campaign.objects.filter(pk__in=_campaigns(who).values("pk")))
    page = paginate(queryset, paging.page, paging.page_size)
    page["items"] = [campaign_out(c) for c in page["items"]]
    return page


def _visible_campaign(request, campaign_id: Id) -> Campaign:
    who = actor(request)
    campaign = campaign_list(_today(), _campaigns(who).filter(pk=campaign_id)).first()
    if campaign is None:
        raise not_found(_("There is no such campaign."))
    return campaign


@router.get("/supervision/campaigns/{campaign_id}", response={200: CampaignDetailOut, **ERRORS})
def campaign_detail(request, campaign_id: Id):
    """A campaign with its roll-up per unit and per street (the rows this user sees)."""
    campaign = _visible_campaign(request, campaign_id)
    figures = rollup(campaign, _today(), visible_rows(actor(request), CampaignRow.objects.all()))

    def roll(entries, name):
        return [{"name": e[name], "total": e["total"], "completed": e["completed"], "red": e["red"],
                 "overdue": e["overdue"], "light": e["light"]} for e in entries]  # fmt: skip

    return {**campaign_out(campaign), "description": campaign.description,
            "fields": [{"key": f["key"], "label": f.get("label") or f["key"], "kind": f["kind"]}
                       for f in campaign.fields],
            "done_field": campaign.done_field,
            "units": roll(figures["units"], "unit__name"),
            "streets": roll(figures["streets"], "street__name")}  # fmt: skip


def row_out(who, row) -> dict:
    from civicloop.supervision.rules import may_edit_row

    return {"id": row.pk, "key": row.key, "name": row.name,
            "street": row.street.name if row.street_id else None, "unit": _ref(row.unit),
            "person": row.person.name if row.person_id else None,
            "deadline": row.deadline.isoformat(), "values": row.values, "done": row.done,
            "colour": row.colour, "version": row.version, "editable": may_edit_row(who, row)}  # fmt: skip


@router.get("/supervision/campaigns/{campaign_id}/rows", response={200: RowPageOut, **ERRORS})
def list_rows(request, campaign_id: Id, filters: Query[RowFilters], paging: Query[PageIn]):
    """The campaign's target rows this user sees (a unit sees its own)."""
    campaign = _visible_campaign(request, campaign_id)
    who = actor(request)
    rows = visible_rows(who, campaign.rows.select_related("street", "unit", "person"))
    if filters.unit:
        rows = rows.filter(unit_id=_unit_q(filters.unit, "unit"))
    if colours := _choices(filters.colour, Colour.values, "colour"):
        rows = rows.filter(colour__in=colours)
    if filters.done is not None:
        rows = rows.filter(done=filters.done)
    page = paginate(rows.order_by("key"), paging.page, paging.page_size)
    page["items"] = [row_out(who, r) for r in page["items"]]
    return page


@router.post("/supervision/campaigns/{campaign_id}/rows/{row_id}", response={200: RowOut, **ERRORS})
def update_campaign_row(request, campaign_id: Id, row_id: Id, payload: RowIn):
    """Progress on a row: the status fields to change (checked by their kind)."""
    who = actor(request)
    visible = visible_rows(who, CampaignRow.objects.filter(pk=row_id, campaign_id=campaign_id))
    if not visible.exists():
        raise not_found(_("There is no such row."))
    update_row(who, row_id, values=payload.values, version=payload.version)
    return row_out(
        who, CampaignRow.objects.select_related("street", "unit", "person").get(pk=row_id)
    )


# --- on-site inspections ---------------------------------------------------------------


class InspectionIn(In):
    title: str
    on: str | None = Field(None, description="The day (default today).")
    road: str | None = Field(None, description="Road id or name.")
    note: str = ""
    problems: str = Field(
        ...,
        description="JSON list of problems: {text, lon, lat, unit (id or code), deadline, "
        "outcome ('case' or 'item'), category (for a case: small class code, e.g. C0307), "
        "person, post (for an item), photo (index into the uploaded photos)}.",
    )


class ProblemOut(Schema):
    seq: int
    text: str
    unit: RefOut
    deadline: str
    outcome: str
    case: int | None
    case_number: str | None
    case_state: str | None
    item: int | None
    item_number: str | None
    item_state: str | None


class InspectionOut(Schema):
    id: int
    title: str
    on: str
    leader: str
    problems: list[ProblemOut]


def inspection_out(inspection) -> dict:
    problems = inspection.problems.select_related("unit", "case", "item").order_by("seq")
    return {"id": inspection.pk, "title": inspection.title, "on": inspection.on.isoformat(),
            "leader": inspection.leader.name,
            "problems": [{"seq": p.seq, "text": p.text, "unit": _ref(p.unit),
                          "deadline": p.deadline.isoformat(), "outcome": p.outcome,
                          "case": p.case_id, "case_number": p.case.number if p.case_id else None,
                          "case_state": p.case.state if p.case_id else None, "item": p.item_id,
                          "item_number": p.item.number if p.item_id else None,
                          "item_state": p.item.state if p.item_id else None} for p in problems]}  # fmt: skip


@router.post("/supervision/inspections", response={201: InspectionOut, **ERRORS})
def record(request, payload: Form[InspectionIn], photos: list[UploadedFile] = PHOTOS):
    """A leader's on-site inspection: each problem becomes a dispatched case or an item."""
    import json

    from civicloop.geo.models import Road
    from civicloop.supervision.actions.inspections import record_inspection

    try:
        problems = json.loads(payload.problems)
        if not isinstance(problems, list) or not all(isinstance(p, dict) for p in problems):
            raise ValueError
    except ValueError:
        raise Invalid(_("problems must be a JSON list of objects."), "problems") from None
    photos = list(photos or ())
    for problem in problems:
        index = problem.get("photo")
        if index is not None:
            if not isinstance(index, int) or not 0 <= index < len(photos):
                raise Invalid(_("A problem names a photo that was not uploaded."), "photos")
            problem["photo"] = photos[index]
    road = None
    if payload.road:
        value = payload.road.strip()
        road = Road.objects.filter(name=value).first() or (
            Road.objects.filter(pk=int(value)).first() if value.isdecimal() else None)  # fmt: skip
        if road is None:
            raise Invalid(_("There is no such road: %(value)s.") % {"value": value}, "road")
    inspection = record_inspection(actor(request), title=payload.title, on=payload.on, road=road,
                                   note=payload.note, problems=problems)  # fmt: skip
    return Status(201, inspection_out(inspection))


@router.get("/supervision/inspections/{inspection_id}", response={200: InspectionOut, **ERRORS})
def inspection_detail(request, inspection_id: Id):
    """An inspection and what became of each problem (leaders and the office)."""
    from civicloop.supervision.models import Inspection
    from civicloop.supervision.rules import sees_all

    inspection = Inspection.objects.select_related("leader").filter(pk=inspection_id).first()
    if inspection is None or not sees_all(actor(request)):
        raise not_found(_("There is no such inspection."))
    return inspection_out(inspection)
