"""The command centre: accept, send for verification, assign, verify, refuse, file,
dispatch, close, merge.

Each action ``X`` is ``do_X(check_X(...))``: the check authorises against the
rule table (:mod:`civicloop.cases.rules`) and validates without writing; the
do writes in one transaction. ``X_change`` functions say what a step writes on
the case row and in its history (the do-functions and the demo generator both
apply them, so the rule lives once).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.core.errors import Invalid, InvalidState
from civicloop.geo.locator import locate
from civicloop.notify.services import queue_for_unit
from civicloop.org.models import Membership, Role, Unit
from civicloop.org.routing import route

from ..links import case_url
from ..models import OPEN_STATES, CancelReason, Case, CaseFollower, Evidence, LoopConfig, State
from ..permissions import Actor
from ..rules import RULES, refuse_row
from .base import (
    Action,
    Checked,
    atomic_with_files,
    authorise,
    handling_clock,
    handling_limit,
    lapse_requests,
    load,
    now_or,
    on_time,
    small_class_for,
    stage_fields,
    standard_for,
    text,
    urgency_of,
    write,
)
from .evidence import check_photos, store_photos


def apply(case: Case, actor: Actor, role: str, now, change: dict):
    """Write a ``*_change`` result (compare-and-set and one history row)."""
    change = dict(change)
    return write(case, actor, role, change.pop("action"), now, **change)


def cancel_change(case, now, action, reason, *, note, on_time_=None, data=None,
                  stage=stage_fields) -> dict:  # fmt: skip
    return {"action": action, "to_state": State.CANCELLED,
            "fields": {"cancel_reason": reason, "cancelled_at": now,
                       **stage(case, State.CANCELLED, now, None)},
            "note": note, "on_time": on_time_, "data": data or {}}  # fmt: skip


def cancelled_note() -> str:
    """Why pending requests lapse when the case is cancelled."""
    return _("The case was cancelled.")


def lapse_on_cancel(case, actor, now) -> int:
    return lapse_requests(case, actor, now, cancelled_note())


# --- accept ------------------------------------------------------------------------------


def check_accept(actor: Actor, case, *, note: str = "", version=None) -> Checked:
    role = RULES.role_for("accept", actor)
    note = text(note, "note")
    case = load(case, version)
    authorise("accept", actor, case)
    return Checked(actor, role, case, {"note": note})


def accept_change(case, now, config, *, note="", stage=stage_fields) -> dict:
    return {"action": Action.ACCEPT, "to_state": State.PENDING_FILING,
            "fields": stage(case, State.PENDING_FILING, now, config), "note": note,
            "on_time": on_time(case, now)}  # fmt: skip


def do_accept(c: Checked, *, at=None) -> Case:
    now = now_or(at)
    with transaction.atomic():
        apply(
            c.case, c.actor, c.role, now, accept_change(c.case, now, LoopConfig.get(), note=c.note)
        )
    return c.case


def accept_case(actor: Actor, case, *, note: str = "", version=None, at=None) -> Case:
    """Accept a report (受理): it waits for filing."""
    return do_accept(check_accept(actor, case, note=note, version=version), at=at)


# --- verification ---------------------------------------------------------------------


def check_inspector(user) -> None:
    """:class:`Invalid` unless ``user`` (if given) is an active inspector."""
    if user is None:
        return
    if not Membership.objects.filter(
        person__user=user, role=Role.INSPECTOR, is_active=True
    ).exists():
        raise Invalid(_("%(name)s is not an inspector.") % {"name": user}, "inspector")


def check_send_for_verification(actor, case, *, inspector=None, note="", version=None) -> Checked:
    role = RULES.role_for("send_for_verification", actor)
    note = text(note, "note")
    check_inspector(inspector)
    case = load(case, version)
    authorise("send_for_verification", actor, case)
    return Checked(actor, role, case, {"note": note, "inspector": inspector})


def send_for_verification_change(case, now, config, *, inspector=None, note="",
                                 stage=stage_fields) -> dict:  # fmt: skip
    fields = stage(case, State.VERIFYING, now, config)
    if inspector is not None:
        fields["assigned_inspector"] = inspector
    return {"action": Action.SEND_FOR_VERIFICATION, "to_state": State.VERIFYING,
            "fields": fields, "note": note, "on_time": on_time(case, now),
            "data": {"inspector": getattr(inspector, "pk", None)}}  # fmt: skip


def do_send_for_verification(c: Checked, *, at=None) -> Case:
    now = now_or(at)
    with transaction.atomic():
        apply(c.case, c.actor, c.role, now, send_for_verification_change(
            c.case, now, LoopConfig.get(), inspector=c.inspector, note=c.note))  # fmt: skip
    return c.case


def send_for_verification(
    actor: Actor, case, *, inspector=None, note: str = "", version=None, at=None
) -> Case:
    """Ask an inspector to verify a report on site (核实): the patrol area's, or a named one."""
    return do_send_for_verification(
        check_send_for_verification(actor, case, inspector=inspector, note=note, version=version),
        at=at,
    )


def check_assign_inspector(actor, case, *, inspector, note="", version=None) -> Checked:
    role = RULES.role_for("assign_inspector", actor)
    check_inspector(inspector)
    note = text(note, "note")
    case = load(case, version)
    authorise("assign_inspector", actor, case)
    return Checked(actor, role, case, {"note": note, "inspector": inspector})


def do_assign_inspector(c: Checked, *, at=None) -> Case:
    now = now_or(at)
    with transaction.atomic():
        write(c.case, c.actor, c.role, Action.ASSIGN_INSPECTOR, now,
              fields={"assigned_inspector": c.inspector}, note=c.note, is_public=False,
              data={"inspector": getattr(c.inspector, "pk", None)})  # fmt: skip
    return c.case


def assign_inspector(
    actor: Actor, case, *, inspector, note: str = "", version=None, at=None
) -> Case:
    """Assign the inspector who verifies or checks this case, even outside their patrol area."""
    return do_assign_inspector(
        check_assign_inspector(actor, case, inspector=inspector, note=note, version=version), at=at
    )


def check_verify(actor, case, *, true_report: bool, note="", photos=(), version=None) -> Checked:
    note = text(note, "note", required=not true_report)
    checked = check_photos(photos)
    case = load(case, version)
    role = authorise("verify", actor, case)
    return Checked(actor, role, case, {"true_report": true_report, "note": note,
                                       "photos": checked})  # fmt: skip


def verify_change(case, now, config, *, true_report, note="", stage=stage_fields) -> dict:
    if true_report:
        return {"action": Action.VERIFY, "to_state": State.PENDING_FILING,
                "fields": stage(case, State.PENDING_FILING, now, config), "note": note,
                "on_time": on_time(case, now), "data": {"true": True}}  # fmt: skip
    return cancel_change(case, now, Action.VERIFY, CancelReason.NOT_ACCEPTED, note=note,
                         on_time_=on_time(case, now), data={"true": False}, stage=stage)  # fmt: skip


def do_verify(c: Checked, *, at=None) -> Case:
    now = now_or(at)
    case = c.case
    with atomic_with_files() as written:
        change = verify_change(case, now, LoopConfig.get() if c.true_report else None,
                               true_report=c.true_report, note=c.note)  # fmt: skip
        if not c.true_report:
            lapse_on_cancel(case, c.actor, now)
        event = apply(case, c.actor, c.role, now, change)
        store_photos(case, event, c.photos, Evidence.Kind.VERIFY, c.actor, now, written)
    return case


def verify_case(
    actor: Actor, case, *, true_report: bool, note: str = "", photos=(), version=None, at=None
) -> Case:
    """The inspector's verdict on site: true (to filing) or false (not accepted)."""
    return do_verify(check_verify(actor, case, true_report=true_report, note=note, photos=photos,
                                  version=version), at=at)  # fmt: skip


# --- refuse ------------------------------------------------------------------------------


def check_refuse(actor, case, *, reason, version=None) -> Checked:
    reason = text(reason, "reason", required=True)
    case = load(case, version)
    states = (*RULES["refuse"].from_states, *RULES["refuse_at_filing"].from_states)
    if case.state not in states:
        raise RULES.state_error(case, (State.REPORTED, State.VERIFYING, State.PENDING_FILING))
    role = authorise(refuse_row(case), actor, case)
    return Checked(actor, role, case, {"reason": reason})


def refuse_change(case, now, *, reason, stage=stage_fields) -> dict:
    cancel = CancelReason.NOT_FILED if case.state == State.PENDING_FILING else (
        CancelReason.NOT_ACCEPTED
    )  # fmt: skip
    return cancel_change(case, now, Action.REFUSE, cancel, note=reason,
                         on_time_=on_time(case, now), data={"reason": cancel}, stage=stage)  # fmt: skip


def do_refuse(c: Checked, *, at=None) -> Case:
    now = now_or(at)
    with transaction.atomic():
        change = refuse_change(c.case, now, reason=c.reason)
        lapse_on_cancel(c.case, c.actor, now)
        apply(c.case, c.actor, c.role, now, change)
    return c.case


def refuse_case(actor: Actor, case, *, reason: str, version=None, at=None) -> Case:
    """Not accepted (不予受理) before filing, or not filed (不予立案) at filing."""
    return do_refuse(check_refuse(actor, case, reason=reason, version=version), at=at)


# --- file ---------------------------------------------------------------------------------


def check_file(actor, case, *, category=None, standard=None, urgency=None, note="",
               version=None) -> Checked:  # fmt: skip
    role = RULES.role_for("file", actor)
    note = text(note, "note")
    case = load(case, version)
    authorise("file", actor, case)
    small = small_class_for(category) if category else case.small_class
    chosen = standard_for(small, standard) if (standard or small != case.small_class) else (
        case.standard or standard_for(small, None)
    )  # fmt: skip
    if chosen is None:
        raise Invalid(
            _("This category has no filing standard; add one in the catalogue."), "standard"
        )
    fields = {"small_class": small, "standard": chosen,
              "urgency": urgency_of(urgency or case.urgency)}  # fmt: skip
    if small != case.small_class:
        location = locate(case.lon, case.lat)
        decision = route(small.full_code, location, case.owner)
        fields.update(proposed_unit=decision.unit, routing_reason=decision.reason,
                      routing_ambiguous=decision.ambiguous)  # fmt: skip
    probe = Case(**{**{f: getattr(case, f) for f in ("area_class", "lon", "lat")}, **fields})
    handling_limit(probe)  # a limit must exist before the case can be dispatched
    return Checked(actor, role, case, {"note": note, "fields": fields})


def file_change(case, now, config, *, fields, note="", stage=stage_fields) -> dict:
    fields = {**fields, "filed_at": now, **stage(case, State.PENDING_DISPATCH, now, config)}
    return {"action": Action.FILE, "to_state": State.PENDING_DISPATCH, "fields": fields,
            "note": note, "on_time": on_time(case, now),
            "data": {"standard": fields["standard"].code,
                     "category": fields["small_class"].full_code}}  # fmt: skip


def do_file(c: Checked, *, at=None) -> Case:
    now = now_or(at)
    with transaction.atomic():
        apply(c.case, c.actor, c.role, now,
              file_change(c.case, now, LoopConfig.get(), fields=c.fields, note=c.note))  # fmt: skip
    return c.case


def file_case(
    actor: Actor,
    case,
    *,
    category: str | None = None,
    standard: str | None = None,
    urgency: str | None = None,
    note: str = "",
    version=None,
    at=None,
) -> Case:
    """File the case (立案): fix its category, standard and urgency; route it again."""
    return do_file(check_file(actor, case, category=category, standard=standard, urgency=urgency,
                              note=note, version=version), at=at)  # fmt: skip


# --- dispatch -------------------------------------------------------------------------------


def dispatch_change(case, now, config, *, unit_id, note, action=Action.DISPATCH, extra=None,
                    stage=stage_fields) -> dict:  # fmt: skip
    """What a dispatch (or a reopen) writes; updates ``case`` with the new handling clock."""
    fields = {"unit_id": unit_id, "dispatched_at": now, "signed_at": None, "handled_at": None,
              **handling_clock(case, now), **(extra or {})}  # fmt: skip
    stamp = on_time(case, now) if action == Action.DISPATCH else None
    case.__dict__.update(fields)  # the clock below reads the new handling deadline
    fields.update(stage(case, State.DISPATCHED, now, config))
    return {"action": action, "to_state": State.DISPATCHED, "fields": fields, "note": note,
            "on_time": stamp, "unit_id": unit_id,
            "data": {"unit": unit_id, "deadline": case.handling_deadline.isoformat()}}  # fmt: skip


def write_dispatch(case, actor, role, unit, now, config, note, *, action=Action.DISPATCH,
                   extra=None, data=None):  # fmt: skip
    """Dispatch (or reopen) to ``unit`` and tell the unit (inside the caller's transaction)."""
    change = dispatch_change(case, now, config, unit_id=unit.pk, note=note, action=action,
                             extra=extra)  # fmt: skip
    if extra and "handling_deadline" in extra:
        change["data"]["deadline_set"] = True
    change["data"].update(data or {})
    event = apply(case, actor, role, now, change)
    case.unit = unit
    queue_for_unit(
        unit.pk,
        _("New case %(number)s: %(cls)s") % {"number": case.number, "cls": case.small_class.name},
        _("%(address)s\n%(description)s\nDeadline: %(deadline)s")
        % {"address": case.address or f"{case.lon:.5f}, {case.lat:.5f}",
           "description": case.description[:300],
           "deadline": timezone.localtime(case.handling_deadline).strftime("%Y-%m-%d %H:%M")},
        link=case_url(case), topic=f"case:{case.pk}",
    )  # fmt: skip
    return event


def unit_of(unit) -> Unit:
    """A unit, by instance, id (an int) or a string: its code, else its id when digits.

    Unit codes may be all digits (organisation codes), so a string is looked up
    as a code first.
    """
    if isinstance(unit, Unit):
        found = unit
    elif isinstance(unit, int):
        found = Unit.objects.filter(pk=unit).first()
    else:
        value = str(unit or "").strip()
        if "\x00" in value:
            raise Invalid(_("Choose the handling unit."), "unit")
        found = Unit.objects.filter(code=value).first() if value else None
        if found is None and value.isdecimal() and len(value) < 19:
            found = Unit.objects.filter(pk=int(value)).first()
    if found is None:
        raise Invalid(_("Choose the handling unit."), "unit")
    if not found.is_active:
        raise Invalid(_("%(unit)s is not active.") % {"unit": found}, "unit")
    return found


def overrides_routing(case: Case, unit: Unit | int) -> bool:
    """Whether dispatching ``case`` to ``unit`` (or a unit id) sets the routing suggestion aside."""
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    return case.proposed_unit_id is not None and unit_id != case.proposed_unit_id


def override_data(case: Case, reason: str) -> dict:
    """What the dispatch's history keeps of an override: the reason, the suggestion set aside."""
    if not reason:
        return {}
    return {"override_reason": reason, "proposed_unit": case.proposed_unit_id,
            "routing_reason": case.routing_reason}  # fmt: skip


def check_dispatch(actor, case, *, unit=None, reason="", note="", version=None) -> Checked:
    """``reason`` is required when ``unit`` is not the routing suggestion (改派理由)."""
    role = RULES.role_for("dispatch", actor)
    note = text(note, "note")
    reason = text(reason, "reason")
    case = load(case, version)
    authorise("dispatch", actor, case)
    target = unit_of(unit if unit is not None else case.proposed_unit_id)
    if overrides_routing(case, target) and not reason:
        raise Invalid(
            _("%(unit)s is not the suggested unit (%(proposed)s); say why you dispatch to it.")
            % {"unit": target, "proposed": case.proposed_unit},
            "reason",
        )
    if not overrides_routing(case, target):
        reason = ""
    return Checked(actor, role, case, {"note": note, "unit": target, "reason": reason})


def given_deadline(deadline, now) -> datetime.datetime:
    """A deadline named by a trusted caller: a date means the end of that working day (18:00)."""
    if isinstance(deadline, datetime.datetime):
        return deadline if timezone.is_aware(deadline) else timezone.make_aware(deadline)
    if isinstance(deadline, datetime.date):
        return timezone.make_aware(datetime.datetime.combine(deadline, datetime.time(18, 0)))
    raise Invalid(_("Give the deadline as a date."), "deadline")


def do_dispatch(c: Checked, *, at=None, deadline=None) -> Case:
    """Write the dispatch. ``deadline`` (trusted callers only: a leader's on-site inspection
    names the unit and the rectification deadline there) replaces the filing standard's;
    one already passed when the case is dispatched (an inspection recorded late) cannot
    run a clock, so the standard's limit applies and the history keeps the one asked for."""
    now = now_or(at)
    extra = None
    asked = given_deadline(deadline, now) if deadline is not None else None
    if asked is not None and asked > now:
        extra = {"handling_deadline": asked, "deadline_provisional": False}
    with transaction.atomic():
        data = {"deadline_asked": asked.isoformat()} if asked is not None and extra is None else {}
        data.update(override_data(c.case, c.reason))
        write_dispatch(c.case, c.actor, c.role, c.unit, now, LoopConfig.get(), c.note, extra=extra,
                       data=data)  # fmt: skip
    return c.case


def dispatch_case(
    actor: Actor, case, *, unit=None, reason: str = "", note: str = "", version=None, at=None
) -> Case:
    """Send the case to a handling unit (派遣); the handling clock starts.

    Another unit than the routing suggestion needs a ``reason``, kept in the history.
    """
    return do_dispatch(
        check_dispatch(actor, case, unit=unit, reason=reason, note=note, version=version), at=at
    )


# --- close -----------------------------------------------------------------------------------


def check_close(actor, case, *, note="", version=None) -> Checked:
    role = RULES.role_for("close", actor)
    note = text(note, "note")
    case = load(case, version)
    authorise("close", actor, case)
    return Checked(actor, role, case, {"note": note})


def close_change(case, now, *, note="", stage=stage_fields) -> dict:
    result = "on_time" if case.handled_on_time is not False else "overdue"
    return {"action": Action.CLOSE, "to_state": State.CLOSED,
            "fields": {"closed_at": now, **stage(case, State.CLOSED, now, None)},
            "note": note, "on_time": on_time(case, now),
            "data": {"result": result, "handled_on_time": case.handled_on_time}}  # fmt: skip


def do_close(c: Checked, *, at=None) -> Case:
    now = now_or(at)
    with transaction.atomic():
        apply(c.case, c.actor, c.role, now, close_change(c.case, now, note=c.note))
    return c.case


def close_case(actor: Actor, case, *, note: str = "", version=None, at=None) -> Case:
    """Close the case (结案); the closure records whether it was handled on time."""
    return do_close(check_close(actor, case, note=note, version=version), at=at)


# --- merge -------------------------------------------------------------------------------------


def check_merge(actor, case, *, into, note="", version=None) -> Checked:
    role = RULES.role_for("merge", actor)
    note = text(note, "note")
    case = load(case, version)
    target = load(into, None)
    if target.pk == case.pk:
        raise Invalid(_("A case cannot be merged into itself."), "into")
    authorise("merge", actor, case)
    if target.state not in OPEN_STATES:
        raise InvalidState(_("Merge only into an open case; %(n)s is %(s)s.")
                           % {"n": target.number, "s": target.get_state_display()})  # fmt: skip
    return Checked(actor, role, case, {"note": note, "into": target})


def merge_change(case, now, *, into_id, into_number, note="", stage=stage_fields) -> dict:
    change = cancel_change(case, now, Action.MERGE, CancelReason.MERGED, note=note,
                           data={"into": into_id, "into_number": into_number}, stage=stage)  # fmt: skip
    change["fields"]["duplicate_of_id"] = into_id
    return change


def do_merge(c: Checked, *, at=None) -> Case:
    now = now_or(at)
    case, target = c.case, c.into
    with transaction.atomic():
        lapse_on_cancel(case, c.actor, now)
        apply(case, c.actor, c.role, now, merge_change(case, now, into_id=target.pk,
                                                       into_number=target.number, note=c.note))  # fmt: skip
        case.duplicate_of = target
        write(target, c.actor, c.role, Action.ABSORB, now, note=c.note,
              data={"duplicate": case.pk, "duplicate_number": case.number})  # fmt: skip
        CaseFollower.objects.filter(case=case).update(case=target)
    return case


def merge_case(actor: Actor, case, *, into, note: str = "", version=None, at=None) -> Case:
    """Merge a duplicate into the open case it repeats (合并); its followers move along."""
    return do_merge(check_merge(actor, case, into=into, note=note, version=version), at=at)
