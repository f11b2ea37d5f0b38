"""The lifecycle of a supervised item: one check and one do per business action.

``check_<action>(actor, item, **input)`` authorises against :data:`rules.TABLE`
and validates, writing nothing; it returns ``(role, cleaned)``.
``do_<action>(actor, role, item, cleaned, now)`` writes in the caller's
transaction: a compare-and-set of the item on its version, one
:class:`~civicloop.supervision.models.ItemEvent`, attachments and outbox
messages. ``<action>(actor, item, ..., version=None, at=None)`` does both in
one transaction; trusted callers (the worker, the demo) call ``do_*``.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from civicloop.core.errors import Forbidden, Invalid, InvalidState
from civicloop.org.models import Unit

from ..models import (
    Completion,
    ExtensionRequest,
    Item,
    ItemEvent,
    Reporting,
    SourceKind,
    State,
    SupervisionSettings,
)
from ..rules import TABLE
from .common import (
    check_uploads,
    date_value,
    deadline_after,
    decimal_value,
    int_value,
    link,
    load,
    notify_unit,
    now_or,
    person_value,
    store_uploads,
    text,
    today_at,
    unit_value,
    write,
)

Action = ItemEvent.Action


# --- register and assign ---------------------------------------------------------


def _people_fields(data: dict, *, partial: bool = False) -> dict:
    """Lead unit, person in it, post, responsibility, cooperating units (定人定岗定责)."""
    out = {}
    if not partial or data.get("lead_unit") not in (None, ""):
        out["lead_unit"] = unit_value(data.get("lead_unit"), "lead_unit")
    if not partial or data.get("person") not in (None, ""):
        out["person"] = person_value(data.get("person"), "person", out.get("lead_unit"))
    for name in ("post", "responsibility"):
        if not partial or data.get(name) not in (None, ""):
            out[name] = text(
                data.get(name), name, required=True, limit=100 if name == "post" else 4000
            )
    if data.get("cooperating_units") is not None:
        values = data["cooperating_units"]
        if isinstance(values, str):
            values = [v for v in values.replace("，", ",").split(",") if v.strip()]
        units = []
        for value in values:
            unit = unit_value(value, "cooperating_units")
            if unit.pk not in {u.pk for u in units}:
                units.append(unit)
        lead = out.get("lead_unit")
        if lead is not None and any(u.pk == lead.pk for u in units):
            raise Invalid(
                _("The lead unit cannot also be a cooperating unit."), "cooperating_units"
            )
        out["cooperating_units"] = units
    return out


def _deadline_fields(data: dict, now) -> dict:
    start = date_value(data.get("start"), "start") or today_at(now)
    days = int_value(data.get("deadline_days"), "deadline_days", low=1, high=3650)
    deadline = date_value(data.get("deadline"), "deadline")
    if deadline is None and days is None:
        raise Invalid(_("Give a deadline: a date or a number of working days."), "deadline")
    if deadline is None:
        deadline = deadline_after(start, days)
    if deadline < start:
        raise Invalid(
            _("The deadline %(deadline)s is before the start %(start)s.")
            % {"deadline": deadline, "start": start},
            "deadline",
        )
    return {"start": start, "deadline": deadline, "deadline_days": days}


def check_register(actor, **data) -> tuple[str, dict]:
    role = TABLE.role_for("register", actor)
    now = data.get("now")
    source = data.get("source") or SourceKind.MEETING
    if source not in SourceKind.values:
        raise Invalid(_("Unknown source: %(value)s.") % {"value": source}, "source")
    reporting = data.get("reporting") or Reporting.ONE_OFF
    if reporting not in Reporting.values:
        raise Invalid(_("Unknown reporting: %(value)s.") % {"value": reporting}, "reporting")
    cleaned = {
        "title": text(data.get("title"), "title", required=True, limit=200),
        "requirement": text(data.get("requirement"), "requirement", required=True),
        "source": source,
        "source_title": text(data.get("source_title"), "source_title", limit=200),
        "source_date": date_value(data.get("source_date"), "source_date"),
        "minutes": text(data.get("minutes"), "minutes", limit=20000),
        "target_quantity": decimal_value(data.get("target_quantity"), "target_quantity", positive=True),
        "target_noun": text(data.get("target_noun"), "target_noun", limit=40),
        "target_at_least": str(data.get("target_at_least") or "").lower() in {"1", "true", "yes", "on"},
        "reporting": reporting,
        "reporting_days": int_value(data.get("reporting_days"), "reporting_days", low=1, high=365),
        **_people_fields({**data, "cooperating_units": data.get("cooperating_units") or []}),
        **_deadline_fields(data, now),
    }  # fmt: skip
    if reporting == Reporting.CUSTOM and not cleaned["reporting_days"]:
        raise Invalid(_("Say every how many working days to report."), "reporting_days")
    case = data.get("case")
    if case is not None:
        from civicloop.cases.models import Case

        pk = case.pk if hasattr(case, "pk") else case
        found = Case.objects.filter(pk=pk).first() if str(pk).isdecimal() else None
        if found is None:
            raise Invalid(_("There is no such case."), "case")
        cleaned["case"] = found
        cleaned["source"] = SourceKind.CASE
    cleaned["photos"], cleaned["files"] = check_uploads(data.get("photos"), data.get("files"))
    return role, cleaned


def _number(now) -> str:
    year = today_at(now).year
    prefix = f"DB{year}"
    last = (
        Item.objects.filter(number__startswith=prefix).order_by("-number")
        .values_list("number", flat=True).first()
    )  # fmt: skip
    seq = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdecimal() else 1
    return f"{prefix}{seq:05d}"


def do_register(actor, role: str, cleaned: dict, now) -> Item:
    cleaned = dict(cleaned)
    photos, files = cleaned.pop("photos", ()), cleaned.pop("files", ())
    cooperating = cleaned.pop("cooperating_units", [])
    for attempt in range(5):
        item = Item(number=_number(now), created_at=now, updated_at=now,
                    registered_by=actor.user if actor.user_id else None, **cleaned)  # fmt: skip
        try:
            with transaction.atomic():
                item.save()
            break
        except IntegrityError:
            if attempt == 4:
                raise
    item.cooperating_units.set(cooperating)
    event = ItemEvent.objects.create(
        item=item, at=now, actor=actor.user if actor.user_id else None,
        actor_name=actor.name[:60], role=role, action=Action.REGISTER,
        to_state=State.REGISTERED, note=item.requirement[:2000],
        data={"deadline": item.deadline.isoformat(), "lead_unit": item.lead_unit_id,
              "person": item.person_id, "case": item.case_id},
    )  # fmt: skip
    store_uploads(item, event, photos, files, now)
    return item


def register_item(actor, *, at=None, **data) -> Item:
    """Register an item (立项) from a meeting, an instruction, an inspection or a case."""
    now = now_or(at)
    role, cleaned = check_register(actor, now=now, **data)
    with transaction.atomic():
        return do_register(actor, role, cleaned, now)


def escalate_case(actor, case, *, at=None, **data) -> Item:
    """Register an item for a case of the loop (linked both ways: ``case.supervision_items``)."""
    data.setdefault(
        "title", getattr(case, "number", "") + " " + str(getattr(case, "small_class", ""))
    )
    data.setdefault("requirement", getattr(case, "description", "") or data["title"])
    return register_item(actor, case=case, at=at, **data)


def check_assign(actor, item, **data) -> tuple[str, dict]:
    role = TABLE.check("assign", actor, item)
    cleaned = _people_fields(
        {"lead_unit": data.get("lead_unit") or item.lead_unit,
         "person": data.get("person") or item.person,
         "post": data.get("post") or item.post,
         "responsibility": data.get("responsibility") or item.responsibility,
         "cooperating_units": data.get("cooperating_units")},
    )  # fmt: skip
    cleaned["note"] = text(data.get("note"), "note")
    return role, cleaned


def do_assign(actor, role, item, cleaned, now) -> ItemEvent:
    cleaned = dict(cleaned)
    note = cleaned.pop("note", "")
    cooperating = cleaned.pop("cooperating_units", None)
    lead: Unit = cleaned["lead_unit"]
    event = write(item, actor, role, Action.ASSIGN, now, to_state=State.ASSIGNED,
                  fields=cleaned, note=note, unit_id=lead.pk,
                  data={"lead_unit": lead.pk, "person": cleaned["person"].pk})  # fmt: skip
    if cooperating is not None:
        item.cooperating_units.set(cooperating)
        item._cooperating_ids = {u.pk for u in cooperating}
    notify_unit(item, lead.pk,
                _("Supervised item %(number)s assigned to you") % {"number": item.number},
                _("%(title)s\nResponsible: %(person)s (%(post)s)\nDeadline: %(deadline)s")
                % {"title": item.title, "person": item.person, "post": item.post,
                   "deadline": item.deadline})  # fmt: skip
    for unit in cooperating or ():
        notify_unit(item, unit.pk,
                    _("Supervised item %(number)s: you cooperate") % {"number": item.number},
                    item.title)  # fmt: skip
    return event


# --- the unit's side -------------------------------------------------------------------


def check_sign(actor, item, note="") -> tuple[str, dict]:
    role = TABLE.check("sign", actor, item)
    return role, {"note": text(note, "note")}


def do_sign(actor, role, item, cleaned, now) -> ItemEvent:
    return write(item, actor, role, Action.SIGN, now, to_state=State.SIGNED,
                 note=cleaned["note"], unit_id=item.lead_unit_id)  # fmt: skip


def _progress(item, percent, quantity) -> dict:
    percent = int_value(percent, "percent", low=0, high=100)
    quantity = decimal_value(quantity, "quantity")
    if percent is None and quantity is None:
        return {}
    out = {}
    if quantity is not None:
        if item.target_quantity is None:
            raise Invalid(_("This item has no target quantity; report a percentage."), "quantity")
        if quantity > item.target_quantity and not item.target_at_least:
            raise Invalid(
                _("%(done)s done is above the target of %(target)s.")
                % {"done": quantity, "target": item.target_quantity},
                "quantity",
            )
        out["done_quantity"] = quantity
        if percent is None:
            percent = min(100, int(quantity * 100 / item.target_quantity))
    if percent is not None:
        out["done_percent"] = percent
    return out


def check_report_progress(
    actor, item, *, note="", percent=None, quantity=None, photos=(), files=()
):
    role = TABLE.check("report_progress", actor, item)
    cleaned = {
        "note": text(note, "note", required=True),
        "fields": _progress(item, percent, quantity),
    }
    cleaned["photos"], cleaned["files"] = check_uploads(photos, files)
    return role, cleaned


def do_report_progress(actor, role, item, cleaned, now) -> ItemEvent:
    fields = cleaned["fields"]
    event = write(item, actor, role, Action.PROGRESS, now, to_state=State.IN_PROGRESS,
                  fields=fields, note=cleaned["note"], unit_id=item.lead_unit_id,
                  data={k: str(v) for k, v in fields.items()})  # fmt: skip
    store_uploads(item, event, cleaned["photos"], cleaned["files"], now)
    return event


def check_report_part(actor, item, *, note="", photos=(), files=()):
    role = TABLE.check("report_part", actor, item)
    cleaned = {"note": text(note, "note", required=True)}
    cleaned["photos"], cleaned["files"] = check_uploads(photos, files)
    units = actor.unit_ids() & item.cooperating_ids()
    cleaned["unit_id"] = min(units) if units else None
    return role, cleaned


def do_report_part(actor, role, item, cleaned, now) -> ItemEvent:
    event = write(item, actor, role, Action.PART, now, note=cleaned["note"],
                  unit_id=cleaned["unit_id"])  # fmt: skip
    store_uploads(item, event, cleaned["photos"], cleaned["files"], now)
    return event


def check_submit_completion(
    actor, item, *, note="", percent=None, quantity=None, photos=(), files=()
):
    role = TABLE.check("submit_completion", actor, item)
    cleaned = {
        "note": text(note, "note", required=True),
        "fields": _progress(item, percent, quantity),
    }
    cleaned["photos"], cleaned["files"] = check_uploads(photos, files)
    return role, cleaned


def do_submit_completion(actor, role, item, cleaned, now) -> ItemEvent:
    today = today_at(now)
    fields = {**cleaned["fields"], "reported_on": today,
              "completion": Completion.ON_TIME if today <= item.deadline else Completion.OVERDUE}  # fmt: skip
    event = write(item, actor, role, Action.COMPLETE, now, to_state=State.REPORTED, fields=fields,
                  note=cleaned["note"], unit_id=item.lead_unit_id,
                  data={"completion": fields["completion"]})  # fmt: skip
    store_uploads(item, event, cleaned["photos"], cleaned["files"], now)
    office = SupervisionSettings.get().office_id
    if office:
        notify_unit(item, office, _("Completion reported: %(number)s") % {"number": item.number},
                    item.title)  # fmt: skip
    return event


def check_request_extension(actor, item, *, new_deadline=None, reason=""):
    role = TABLE.check("request_extension", actor, item)
    deadline = date_value(new_deadline, "new_deadline", required=True)
    if deadline <= item.deadline:
        raise Invalid(_("Ask for a date after the current deadline %(deadline)s.")
                      % {"deadline": item.deadline}, "new_deadline")  # fmt: skip
    return role, {"new_deadline": deadline, "reason": text(reason, "reason", required=True)}


def do_request_extension(actor, role, item, cleaned, now) -> ExtensionRequest:
    request = ExtensionRequest.objects.create(item=item, requested_at=now,
                                              requested_by=actor.user if actor.user_id else None,
                                              **cleaned)  # fmt: skip
    write(item, actor, role, Action.REQUEST_EXTENSION, now, note=cleaned["reason"],
          unit_id=item.lead_unit_id,
          data={"request": request.pk, "new_deadline": cleaned["new_deadline"].isoformat()})  # fmt: skip
    return request


# --- the office's side -------------------------------------------------------------------


def check_pass_review(actor, item, note=""):
    return TABLE.check("pass_review", actor, item), {"note": text(note, "note")}


def do_pass_review(actor, role, item, cleaned, now) -> ItemEvent:
    event = write(item, actor, role, Action.PASS, now, to_state=State.PASSED, note=cleaned["note"])
    notify_unit(item, item.lead_unit_id, _("Review passed: %(number)s") % {"number": item.number},
                item.title)  # fmt: skip
    return event


def check_reject_review(actor, item, reason=""):
    return TABLE.check("reject_review", actor, item), {
        "reason": text(reason, "reason", required=True)
    }


def do_reject_review(actor, role, item, cleaned, now) -> ItemEvent:
    event = write(item, actor, role, Action.REJECT, now, to_state=State.IN_PROGRESS,
                  fields={"completion": Completion.NONE, "reported_on": None},
                  note=cleaned["reason"], unit_id=item.lead_unit_id)  # fmt: skip
    notify_unit(
        item,
        item.lead_unit_id,
        _("Review rejected: %(number)s") % {"number": item.number},
        cleaned["reason"],
    )
    return event


def check_close(actor, item, note=""):
    return TABLE.check("close", actor, item), {"note": text(note, "note")}


def do_close(actor, role, item, cleaned, now) -> ItemEvent:
    return write(item, actor, role, Action.CLOSE, now, to_state=State.CLOSED,
                 fields={"closed_on": today_at(now)}, note=cleaned["note"])  # fmt: skip


def check_reopen(actor, item, reason=""):
    return TABLE.check("reopen", actor, item), {"reason": text(reason, "reason", required=True)}


def do_reopen(actor, role, item, cleaned, now) -> ItemEvent:
    event = write(item, actor, role, Action.REOPEN, now, to_state=State.IN_PROGRESS,
                  fields={"completion": Completion.NONE, "reported_on": None, "closed_on": None},
                  note=cleaned["reason"], unit_id=item.lead_unit_id)  # fmt: skip
    notify_unit(item, item.lead_unit_id, _("Item reopened: %(number)s") % {"number": item.number},
                cleaned["reason"])  # fmt: skip
    return event


def _pending(item) -> ExtensionRequest:
    request = item.extension_requests.filter(status=ExtensionRequest.Status.PENDING).first()
    if request is None:  # pragma: no cover - the rule table's scope says so first
        raise InvalidState(_("There is no extension request to decide."))
    return request


def check_approve_extension(actor, item, *, new_deadline=None, note=""):
    role = TABLE.check("approve_extension", actor, item)
    request = _pending(item)
    deadline = date_value(new_deadline, "new_deadline") or request.new_deadline
    if deadline < item.start:
        raise Invalid(_("The deadline %(deadline)s is before the start %(start)s.")
                      % {"deadline": deadline, "start": item.start}, "new_deadline")  # fmt: skip
    return role, {"request": request, "new_deadline": deadline, "note": text(note, "note")}


def do_approve_extension(actor, role, item, cleaned, now) -> ItemEvent:
    request = cleaned["request"]
    ExtensionRequest.objects.filter(pk=request.pk).update(
        status=ExtensionRequest.Status.APPROVED, decided_at=now, decision_note=cleaned["note"]
    )
    old = item.deadline
    event = write(item, actor, role, Action.APPROVE_EXTENSION, now,
                  fields={"deadline": cleaned["new_deadline"]}, note=cleaned["note"],
                  data={"request": request.pk, "from": old.isoformat(),
                        "to": cleaned["new_deadline"].isoformat()})  # fmt: skip
    notify_unit(item, item.lead_unit_id,
                _("Extension approved: %(number)s until %(deadline)s")
                % {"number": item.number, "deadline": cleaned["new_deadline"]}, item.title)  # fmt: skip
    return event


def check_reject_extension(actor, item, *, note=""):
    role = TABLE.check("reject_extension", actor, item)
    return role, {"request": _pending(item), "note": text(note, "note", required=True)}


def do_reject_extension(actor, role, item, cleaned, now) -> ItemEvent:
    request = cleaned["request"]
    ExtensionRequest.objects.filter(pk=request.pk).update(
        status=ExtensionRequest.Status.REJECTED, decided_at=now, decision_note=cleaned["note"]
    )
    event = write(item, actor, role, Action.REJECT_EXTENSION, now, note=cleaned["note"],
                  data={"request": request.pk})  # fmt: skip
    notify_unit(
        item,
        item.lead_unit_id,
        _("Extension refused: %(number)s") % {"number": item.number},
        cleaned["note"],
    )
    return event


def check_chase(actor, item, note=""):
    return TABLE.check("chase", actor, item), {"note": text(note, "note")}


def do_chase(actor, role, item, cleaned, now, *, red_sheet: bool = False) -> ItemEvent:
    """A chasing notice (催办) to the lead unit; by the worker it is also a red sheet."""
    fields = {"chase_count": item.chase_count + 1, "last_chased_on": today_at(now)}
    if red_sheet:
        fields["red_count"] = item.red_count + 1
    event = write(item, actor, role, Action.CHASE, now, fields=fields, note=cleaned["note"],
                  unit_id=item.lead_unit_id, data={"red_sheet": red_sheet})  # fmt: skip
    notify_unit(
        item, item.lead_unit_id,
        _("Chasing notice (催办): %(number)s, deadline %(deadline)s")
        % {"number": item.number, "deadline": item.deadline},
        "\n".join(x for x in (item.title, cleaned["note"]) if x),
        dedupe_key=f"item:{item.pk}:chase:{today_at(now).isoformat()}",
    )  # fmt: skip
    return event


def check_order_interview(actor, item, *, note="", on=None):
    role = TABLE.check("order_interview", actor, item)
    return role, {"note": text(note, "note", required=True), "on": date_value(on, "on")}


def do_order_interview(actor, role, item, cleaned, now) -> ItemEvent:
    on = cleaned["on"] or today_at(now)
    event = write(item, actor, role, Action.INTERVIEW, now,
                  fields={"interview_count": item.interview_count + 1}, note=cleaned["note"],
                  unit_id=item.lead_unit_id, data={"on": on.isoformat()})  # fmt: skip
    notify_unit(item, item.lead_unit_id,
                _("Interview (约谈) of the unit's leader on %(on)s: %(number)s")
                % {"on": on, "number": item.number}, cleaned["note"])  # fmt: skip
    return event


# --- one door for every action on an existing item ---------------------------------------

CHECKS = {
    "assign": check_assign, "sign": check_sign, "report_progress": check_report_progress,
    "report_part": check_report_part, "submit_completion": check_submit_completion,
    "pass_review": check_pass_review, "reject_review": check_reject_review, "close": check_close,
    "reopen": check_reopen, "request_extension": check_request_extension,
    "approve_extension": check_approve_extension, "reject_extension": check_reject_extension,
    "chase": check_chase, "order_interview": check_order_interview,
}  # fmt: skip
DOES = {
    "assign": do_assign, "sign": do_sign, "report_progress": do_report_progress,
    "report_part": do_report_part, "submit_completion": do_submit_completion,
    "pass_review": do_pass_review, "reject_review": do_reject_review, "close": do_close,
    "reopen": do_reopen, "request_extension": do_request_extension,
    "approve_extension": do_approve_extension, "reject_extension": do_reject_extension,
    "chase": do_chase, "order_interview": do_order_interview,
}  # fmt: skip


def act(actor, item, name: str, *, version=None, at=None, **data):
    """Do the action ``name`` (a row of the rule table) on ``item``: check, then do, atomically.

    Returns what the do-function returned (the event, or the extension request).
    """
    if name not in CHECKS:
        raise Invalid(_("Unknown action: %(name)s.") % {"name": name}, "action")
    now = now_or(at)
    with transaction.atomic():
        item = load(item, version)
        role, cleaned = CHECKS[name](actor, item, **data)
        return DOES[name](actor, role, item, cleaned, now)


def _public(name):
    def action(actor, item, *, version=None, at=None, **data):
        return act(actor, item, name, version=version, at=at, **data)

    action.__name__ = name
    action.__doc__ = f"Check and do ``{name}`` (see :data:`civicloop.supervision.rules.TABLE`)."
    return action


assign = _public("assign")
sign = _public("sign")
report_progress = _public("report_progress")
report_part = _public("report_part")
submit_completion = _public("submit_completion")
pass_review = _public("pass_review")
reject_review = _public("reject_review")
close = _public("close")
reopen = _public("reopen")
request_extension = _public("request_extension")
approve_extension = _public("approve_extension")
reject_extension = _public("reject_extension")
chase = _public("chase")
order_interview = _public("order_interview")

__all__ = [
    "Forbidden", "act", "register_item", "escalate_case", "link", *CHECKS, *DOES,
    *[f"check_{n}" for n in CHECKS], *[f"do_{n}" for n in DOES],
]  # fmt: skip
