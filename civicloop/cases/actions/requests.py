"""Requests and their decisions: return, extension, suspension (the unit asks the
dispatcher), void (centre staff ask the shift leader), reopen (an unsatisfied
resident; the shift leader decides).

The decisions' roles and the states in which approving can take effect are
the ``approve_<kind>`` / ``reject_<kind>`` rows of the rule table.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from civicloop.core.errors import Invalid, InvalidState
from civicloop.notify.services import queue_for_unit

from ..links import case_url
from ..models import CancelReason, Case, CaseRequest, LoopConfig, State
from ..permissions import Actor
from ..rules import RULES, UNIT_REQUESTS
from .base import (
    Action,
    Checked,
    clean_hours,
    lapse_requests,
    load,
    move_deadline,
    now_or,
    stage_fields,
    text,
    write,
)
from .centre import apply, cancel_change, lapse_on_cancel, write_dispatch

#: The history action of each kind of request.
REQUEST_ACTIONS = {
    CaseRequest.Kind.RETURN: Action.REQUEST_RETURN,
    CaseRequest.Kind.EXTENSION: Action.REQUEST_EXTENSION,
    CaseRequest.Kind.SUSPENSION: Action.REQUEST_SUSPENSION,
    CaseRequest.Kind.VOID: Action.REQUEST_VOID,
    CaseRequest.Kind.REOPEN: Action.REQUEST_REOPEN,
}
#: The rule-table row of each kind of request.
REQUEST_ROWS = {
    CaseRequest.Kind.RETURN: "request_return",
    CaseRequest.Kind.EXTENSION: "request_extension",
    CaseRequest.Kind.SUSPENSION: "request_suspension",
    CaseRequest.Kind.VOID: "request_void",
}


# --- asking --------------------------------------------------------------------------------


def check_request(actor: Actor, case, kind: str, *, reason: str, hours=None, version=None,
                  role: str = "") -> Checked:  # fmt: skip
    """Authorise a request of ``kind`` on ``case`` (the reason and hours already cleaned)."""
    case = load(case, version)
    acted = RULES.check(REQUEST_ROWS[kind], actor, case)
    return Checked(actor, role or acted, case, {"kind": kind, "reason": reason, "hours": hours})


def do_request(c: Checked, *, at=None) -> CaseRequest:
    """Write the request and its (internal) history row; one pending request per kind."""
    now = now_or(at)
    case, kind = c.case, c.kind
    with transaction.atomic():
        after_deadline = bool(case.handling_deadline and now > case.handling_deadline)
        late_return = after_deadline and kind == CaseRequest.Kind.RETURN
        try:
            with transaction.atomic():
                request = CaseRequest.objects.create(
                    case=case, kind=kind, unit_id=case.unit_id, reason=c.reason, hours=c.hours,
                    after_deadline=late_return,
                    requested_by=c.actor.user if c.actor.user_id else None, requested_at=now,
                )  # fmt: skip
        except IntegrityError:
            raise InvalidState(
                _("A %(kind)s request for this case is already waiting for a decision.")
                % {"kind": CaseRequest.Kind(kind).label}
            ) from None
        write(case, c.actor, c.role, REQUEST_ACTIONS[kind], now, note=c.reason,
              data=request_data(request.pk, c.hours, late_return), is_public=False)  # fmt: skip
    return request


def request_data(request_id, hours, late_return) -> dict:
    data = {"request": request_id}
    if hours is not None:
        data["hours"] = str(hours)
    if late_return:
        data["after_deadline"] = True
    return data


def request_return(actor: Actor, case, *, reason: str, version=None, at=None) -> CaseRequest:
    """The unit says the case is not theirs (回退申请); the dispatcher decides."""
    reason = text(reason, "reason", required=True)
    return do_request(check_request(actor, case, CaseRequest.Kind.RETURN, reason=reason,
                                    version=version), at=at)  # fmt: skip


def request_extension(
    actor: Actor, case, *, hours, reason: str, version=None, at=None
) -> CaseRequest:
    """The unit asks for more time (延期申请): N hours with a reason."""
    hours = clean_hours(hours)
    reason = text(reason, "reason", required=True)
    return do_request(check_request(actor, case, CaseRequest.Kind.EXTENSION, reason=reason,
                                    hours=hours, version=version), at=at)  # fmt: skip


def request_suspension(actor: Actor, case, *, reason: str, version=None, at=None) -> CaseRequest:
    """The unit asks to suspend (挂账): the problem cannot be solved in time (works, season, money)."""
    reason = text(reason, "reason", required=True)
    return do_request(check_request(actor, case, CaseRequest.Kind.SUSPENSION, reason=reason,
                                    version=version), at=at)  # fmt: skip


def request_void(actor: Actor, case, *, reason: str, version=None, at=None) -> CaseRequest:
    """Ask the shift leader to void a case (作废), e.g. a test or an impossible report."""
    role = RULES.role_for("request_void", actor)
    reason = text(reason, "reason", required=True)
    return do_request(check_request(actor, case, CaseRequest.Kind.VOID, reason=reason,
                                    version=version, role=role), at=at)  # fmt: skip


# --- deciding ------------------------------------------------------------------------------


def check_decision(actor: Actor, request, kind: str, approve: bool, *, note: str = "",
                   hours=None) -> Checked:  # fmt: skip
    """Authorise a decision on a pending request of ``kind``; ``values`` has the request."""
    name = f"{'approve' if approve else 'reject'}_{kind}"
    role = RULES.role_for(name, actor)
    pk = request.pk if isinstance(request, CaseRequest) else request
    request = CaseRequest.objects.filter(pk=pk, kind=kind).first()
    if request is None:
        raise Invalid(_("There is no such request."), "request")
    note = text(note, "note")
    if request.status != CaseRequest.Status.PENDING:
        raise InvalidState(_("This request has already been decided."))
    values = {"request": request, "note": note, "approve": approve}
    if approve and kind == CaseRequest.Kind.EXTENSION:
        granted = clean_hours(hours if hours is not None else request.hours)
        if request.hours is not None and granted > request.hours:
            raise Invalid(
                _("Grant at most the %(n)s hours asked for.") % {"n": request.hours}, "hours"
            )
        values["granted"] = granted
    case = load(request.case_id, None)
    RULES.check(name, actor, case)
    return Checked(actor, role, case, values)


def mark_decided(c: Checked, now) -> CaseRequest:
    """Compare-and-set the request's status (a second decision is refused)."""
    request = c.request
    status = CaseRequest.Status.APPROVED if c.approve else CaseRequest.Status.REJECTED
    changes = {"status": status, "decided_by": c.actor.user if c.actor.user_id else None,
               "decided_at": now, "decision_note": c.note}  # fmt: skip
    if "granted" in c.values:
        changes["granted_hours"] = c.granted
    updated = CaseRequest.objects.filter(pk=request.pk, status=CaseRequest.Status.PENDING).update(
        **changes
    )
    if not updated:
        raise InvalidState(_("This request has already been decided."))
    request.status, request.decided_at, request.decision_note = status, now, c.note
    return request


REJECT_ACTIONS = {
    CaseRequest.Kind.RETURN: Action.REJECT_RETURN,
    CaseRequest.Kind.EXTENSION: Action.REJECT_EXTENSION,
    CaseRequest.Kind.SUSPENSION: Action.REJECT_SUSPENSION,
    CaseRequest.Kind.VOID: Action.REJECT_VOID,
    CaseRequest.Kind.REOPEN: Action.REJECT_REOPEN,
}


def do_reject(c: Checked, *, at=None) -> Case:
    now = now_or(at)
    case = c.case
    with transaction.atomic():
        request = mark_decided(c, now)
        write(case, c.actor, c.role, REJECT_ACTIONS[request.kind], now, note=request.decision_note,
              data={"request": request.pk}, is_public=False)  # fmt: skip
        if request.unit_id:
            queue_for_unit(request.unit_id,
                           _("Case %(number)s: your %(kind)s request was rejected")
                           % {"number": case.number, "kind": request.get_kind_display()},
                           request.decision_note, link=case_url(case),
                           topic=f"case:{case.pk}")  # fmt: skip
    return case


def _reject(kind):
    def reject(actor: Actor, request, *, note: str = "", at=None) -> Case:
        return do_reject(check_decision(actor, request, kind, False, note=note), at=at)

    reject.__name__ = f"reject_{kind}"
    reject.__doc__ = f"Reject a {kind} request; the unit that asked is told."
    return reject


reject_return = _reject(CaseRequest.Kind.RETURN)
reject_extension = _reject(CaseRequest.Kind.EXTENSION)
reject_suspension = _reject(CaseRequest.Kind.SUSPENSION)
reject_void = _reject(CaseRequest.Kind.VOID)
reject_reopen = _reject(CaseRequest.Kind.REOPEN)


# approvals: what each writes


def returned_note() -> str:
    return _("The case was returned to dispatch.")


def approve_return_change(case, now, config, request, *, stage=stage_fields) -> dict:
    fields = {"unit_id": None, "return_count": case.return_count + 1,
              "handling_started_at": None, "handling_deadline": None,
              "signed_at": None, "is_overdue": False, "escalation_level": 0,
              **stage(case, State.PENDING_DISPATCH, now, config)}  # fmt: skip
    return {"action": Action.APPROVE_RETURN, "to_state": State.PENDING_DISPATCH,
            "fields": fields, "note": request.decision_note, "unit_id": request.unit_id,
            "data": {"request": request.pk, "after_deadline": request.after_deadline}}  # fmt: skip


def approve_extension_change(case, now, config, request, granted, *, stage=stage_fields) -> dict:
    deadline = move_deadline(case, granted)
    fields = {"handling_deadline": deadline, "extension_hours": case.extension_hours + granted,
              "extension_count": case.extension_count + 1}  # fmt: skip
    if now <= deadline:
        fields.update(is_overdue=False, escalation_level=0)
    case.__dict__.update(fields)
    if case.state != State.SUSPENDED:
        fields.update(stage(case, case.state, now, config))
    return {"action": Action.APPROVE_EXTENSION, "fields": fields, "note": request.decision_note,
            "unit_id": request.unit_id,
            "data": {"request": request.pk, "hours": str(granted),
                     "hours_asked": None if request.hours is None else str(request.hours),
                     "deadline": deadline.isoformat()}}  # fmt: skip


def approve_suspension_change(case, now, request, *, stage=stage_fields) -> dict:
    return {"action": Action.APPROVE_SUSPENSION, "to_state": State.SUSPENDED,
            "fields": {"suspended_at": now, "suspension_count": case.suspension_count + 1,
                       **stage(case, State.SUSPENDED, now, None)},
            "note": request.decision_note, "unit_id": request.unit_id,
            "data": {"request": request.pk, "resume_to": case.state}}  # fmt: skip


def approve_void_change(case, now, request, *, stage=stage_fields) -> dict:
    return cancel_change(case, now, Action.APPROVE_VOID, CancelReason.VOID,
                         note=request.decision_note,
                         data={"request": request.pk}, stage=stage)  # fmt: skip


def reopen_extra(case) -> dict:
    return {"closed_at": None, "checked_at": None, "reopen_count": case.reopen_count + 1}


def do_approve(c: Checked, *, at=None) -> Case:
    now = now_or(at)
    case = c.case
    with transaction.atomic():
        request = mark_decided(c, now)
        kind = request.kind
        if kind == CaseRequest.Kind.RETURN:
            # The unit's other pending requests lapse: they must not move the next unit's deadline.
            lapse_requests(case, c.actor, now, returned_note(), UNIT_REQUESTS)
            apply(case, c.actor, c.role, now,
                  approve_return_change(case, now, LoopConfig.get(), request))  # fmt: skip
            case.unit = None
        elif kind == CaseRequest.Kind.EXTENSION:
            apply(case, c.actor, c.role, now,
                  approve_extension_change(case, now, LoopConfig.get(), request, c.granted))  # fmt: skip
        elif kind == CaseRequest.Kind.SUSPENSION:
            apply(case, c.actor, c.role, now, approve_suspension_change(case, now, request))
        elif kind == CaseRequest.Kind.VOID:
            lapse_on_cancel(case, c.actor, now)
            apply(case, c.actor, c.role, now, approve_void_change(case, now, request))
        else:  # reopen (重办): back to the same unit with a fresh limit
            write_dispatch(case, c.actor, c.role, case.unit, now, LoopConfig.get(),
                           request.decision_note, action=Action.REOPEN, extra=reopen_extra(case),
                           data={"request": request.pk})  # fmt: skip
    return case


def approve_return(actor: Actor, request, *, note: str = "", at=None) -> Case:
    """Approve a return: the case goes back to dispatch; a late return counts against the unit."""
    return do_approve(check_decision(actor, request, CaseRequest.Kind.RETURN, True, note=note),
                      at=at)  # fmt: skip


def approve_extension(actor: Actor, request, *, hours=None, note: str = "", at=None) -> Case:
    """Approve an extension (possibly fewer hours): the handling deadline moves."""
    return do_approve(check_decision(actor, request, CaseRequest.Kind.EXTENSION, True, note=note,
                                     hours=hours), at=at)  # fmt: skip


def approve_suspension(actor: Actor, request, *, note: str = "", at=None) -> Case:
    """Approve a suspension: the clock stops until the case is resumed."""
    return do_approve(check_decision(actor, request, CaseRequest.Kind.SUSPENSION, True, note=note),
                      at=at)  # fmt: skip


def approve_void(actor: Actor, request: CaseRequest | int, *, note: str = "", at=None) -> Case:
    """Void the case (作废): it is cancelled and its other requests lapse."""
    return do_approve(check_decision(actor, request, CaseRequest.Kind.VOID, True, note=note),
                      at=at)  # fmt: skip


def approve_reopen(actor: Actor, request, *, note: str = "", at=None) -> Case:
    """Send the case back to the same unit for re-handling (重办), with a fresh limit."""
    return do_approve(check_decision(actor, request, CaseRequest.Kind.REOPEN, True, note=note),
                      at=at)  # fmt: skip
