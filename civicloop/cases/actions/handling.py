"""The handling unit and the inspector's check: sign, submit the result, check, resume."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from civicloop.core.errors import Invalid
from civicloop.notify.services import queue_for_unit
from civicloop.worktime import services as worktime

from ..links import case_url
from ..models import Case, Evidence, LoopConfig, State
from ..permissions import Actor
from ..rules import RULES, UNIT_REQUESTS
from .base import (
    Action,
    Checked,
    atomic_with_files,
    authorise,
    handling_clock,
    lapse_requests,
    load,
    move_deadline,
    now_or,
    on_time,
    stage_fields,
    suspended_span,
    text,
)
from .centre import apply
from .evidence import check_photos, store_photos


def check_sign(actor, case, *, note="", version=None) -> Checked:
    note = text(note, "note")
    case = load(case, version)
    role = authorise("sign", actor, case)
    return Checked(actor, role, case, {"note": note})


def sign_change(case, now, config, *, note="") -> dict:
    sign_by = worktime.deadline_for(case.dispatched_at, config.sign_minutes, "working_minutes").at
    return {"action": Action.SIGN, "to_state": State.IN_PROGRESS, "fields": {"signed_at": now},
            "note": note, "on_time": now <= sign_by}  # fmt: skip


def do_sign(c: Checked, *, at=None) -> Case:
    now = now_or(at)
    with transaction.atomic():
        apply(c.case, c.actor, c.role, now, sign_change(c.case, now, LoopConfig.get(), note=c.note))
    return c.case


def sign_case(actor: Actor, case, *, note: str = "", version=None, at=None) -> Case:
    """The unit signs for the case (签收) and starts handling."""
    return do_sign(check_sign(actor, case, note=note, version=version), at=at)


def check_submit_result(actor, case, *, note="", photos=(), version=None) -> Checked:
    note = text(note, "note")
    checked = check_photos(photos)
    case = load(case, version)
    role = authorise("submit_result", actor, case)
    if not checked and LoopConfig.get().require_result_photo:
        raise Invalid(_("Add at least one photo of the result."), "photos")
    return Checked(actor, role, case, {"note": note, "photos": checked})


def submit_result_change(case, now, config, *, note="", stage=stage_fields) -> dict:
    in_time = now <= case.handling_deadline
    fields = {"handled_at": now, "handled_on_time": in_time,
              **stage(case, State.PENDING_CHECK, now, config)}  # fmt: skip
    if not in_time:
        fields["is_overdue"] = True
    return {"action": Action.SUBMIT_RESULT, "to_state": State.PENDING_CHECK, "fields": fields,
            "note": note, "on_time": in_time}  # fmt: skip


#: Why the unit's pending requests lapse when it submits its result.
def submitted_note() -> str:
    return _("The result was submitted.")


def do_submit_result(c: Checked, *, at=None) -> Case:
    now = now_or(at)
    case = c.case
    with atomic_with_files() as written:
        change = submit_result_change(case, now, LoopConfig.get(), note=c.note)
        lapse_requests(case, c.actor, now, submitted_note(), UNIT_REQUESTS)
        event = apply(case, c.actor, c.role, now, change)
        store_photos(case, event, c.photos, Evidence.Kind.AFTER, c.actor, now, written)
    return case


def submit_result(actor: Actor, case, *, note: str = "", photos=(), version=None, at=None) -> Case:
    """The unit reports the problem solved, with after-photos (处置反馈)."""
    return do_submit_result(
        check_submit_result(actor, case, note=note, photos=photos, version=version), at=at
    )


def check_check(actor, case, *, passed: bool, note="", photos=(), version=None) -> Checked:
    note = text(note, "note", required=not passed)
    checked = check_photos(photos)
    case = load(case, version)
    role = authorise("check", actor, case)
    return Checked(actor, role, case, {"passed": passed, "note": note, "photos": checked})


def check_change(case, now, config, *, passed, note="", stage=stage_fields) -> dict:
    """Pass to closure, or rework (返工): back to the same unit with a fresh handling limit."""
    stamp = on_time(case, now)
    if passed:
        return {"action": Action.CHECK, "to_state": State.PENDING_CLOSURE,
                "fields": {"checked_at": now, **stage(case, State.PENDING_CLOSURE, now, config)},
                "note": note, "on_time": stamp, "data": {"passed": True}}  # fmt: skip
    fields = {"checked_at": now, "rework_count": case.rework_count + 1, "handled_at": None,
              **handling_clock(case, now)}  # fmt: skip
    case.__dict__.update(fields)
    fields.update(stage(case, State.IN_PROGRESS, now, config))
    return {"action": Action.CHECK, "to_state": State.IN_PROGRESS, "fields": fields,
            "note": note, "on_time": stamp,
            "data": {"passed": False, "rework": case.rework_count,
                     "deadline": case.handling_deadline.isoformat()}}  # fmt: skip


def do_check(c: Checked, *, at=None) -> Case:
    now = now_or(at)
    case = c.case
    with atomic_with_files() as written:
        event = apply(case, c.actor, c.role, now,
                      check_change(case, now, LoopConfig.get(), passed=c.passed, note=c.note))  # fmt: skip
        if not c.passed:
            queue_for_unit(
                case.unit_id,
                _("Rework: case %(number)s failed the check") % {"number": case.number},
                c.note, link=case_url(case), topic=f"case:{case.pk}",
            )  # fmt: skip
        store_photos(case, event, c.photos, Evidence.Kind.CHECK, c.actor, now, written)
    return case


def check_case(
    actor: Actor, case, *, passed: bool, note: str = "", photos=(), version=None, at=None
) -> Case:
    """The inspector checks the result on site (核查): pass to closure, or rework."""
    return do_check(
        check_check(actor, case, passed=passed, note=note, photos=photos, version=version), at=at
    )


def check_resume(actor, case, *, note="", version=None) -> Checked:
    role = RULES.role_for("resume", actor)
    note = text(note, "note")
    case = load(case, version)
    authorise("resume", actor, case)
    return Checked(actor, role, case, {"note": note})


def resume_change(case, now, config, *, note="", stage=stage_fields) -> dict:
    """End a suspension: the deadline moves by the suspended (working) time."""
    span = suspended_span(case, now)
    deadline = move_deadline(case, span)
    to_state = State.IN_PROGRESS if case.signed_at else State.DISPATCHED
    fields = {"handling_deadline": deadline, "suspended_at": None,
              "suspended_seconds": case.suspended_seconds + int(span.total_seconds())}  # fmt: skip
    if now <= deadline:
        fields.update(is_overdue=False, escalation_level=0)
    case.__dict__.update(fields)
    fields.update(stage(case, to_state, now, config))
    return {"action": Action.RESUME, "to_state": to_state, "fields": fields, "note": note,
            "data": {"suspended_seconds": int(span.total_seconds()),
                     "deadline": deadline.isoformat()}}  # fmt: skip


def do_resume(c: Checked, *, at=None) -> Case:
    now = now_or(at)
    with transaction.atomic():
        apply(c.case, c.actor, c.role, now,
              resume_change(c.case, now, LoopConfig.get(), note=c.note))  # fmt: skip
    return c.case


def resume_case(actor: Actor, case, *, note: str = "", version=None, at=None) -> Case:
    """End a suspension: the deadline moves by the suspended (working) time."""
    return do_resume(check_resume(actor, case, note=note, version=version), at=at)
