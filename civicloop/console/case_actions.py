"""The actions a user can take on a case page: form, explanation, and the call.

Only the names :func:`civicloop.cases.actions.available_actions` returns are
shown; each is posted to one URL and goes through the action function of
``civicloop.cases.actions`` (which checks everything again).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from civicloop.cases import actions
from civicloop.cases.actions import Invalid
from civicloop.cases.models import OPEN_STATES, Case, CaseRequest, State

from . import forms


@dataclass(frozen=True)
class ConsoleAction:
    name: str
    label: str
    explanation: str
    form: type
    style: str = ""  # "primary" / "danger"


ACTIONS = {
    a.name: a
    for a in [
        ConsoleAction("accept", pgettext_lazy("case action", "Accept"), gettext_lazy(
            "Accepts the report: it goes to the shift leader for filing."), forms.NoteForm,
            "primary"),
        ConsoleAction("send_for_verification", pgettext_lazy("case action", "Send for verification"), gettext_lazy(
            "Asks an inspector to check on site whether the problem exists (the patrol "
            "area's inspector unless you name one)."), forms.InspectorForm),
        ConsoleAction("refuse", pgettext_lazy("case action", "Refuse"), gettext_lazy(
            "Ends the case without handling: not accepted before filing, or not filed at "
            "filing. The reason is recorded."), forms.ReasonForm, "danger"),
        ConsoleAction("verify", pgettext_lazy("case action", "Verify"), gettext_lazy(
            "Records your verdict from the site: a true report goes on to filing, a false "
            "one is closed as not accepted."), forms.VerifyForm, "primary"),
        ConsoleAction("file", pgettext_lazy("case action", "File"), gettext_lazy(
            "Files the case (立案): fixes its category, filing standard and urgency, which "
            "set the handling time limit. It then waits for dispatch."), forms.FileForm,
            "primary"),
        ConsoleAction("dispatch", pgettext_lazy("case action", "Dispatch"), gettext_lazy(
            "Sends the case to the handling unit; the unit is notified and its handling "
            "clock starts now."), forms.DispatchForm, "primary"),
        ConsoleAction("sign", pgettext_lazy("case action", "Sign for"), gettext_lazy(
            "Confirms that your unit has received the case and starts handling it."),
            forms.NoteForm, "primary"),
        ConsoleAction("submit_result", pgettext_lazy("case action", "Submit result"), gettext_lazy(
            "Reports the problem solved, with photos after handling; an inspector then "
            "checks it on site."), forms.ResultForm, "primary"),
        ConsoleAction("request_return", pgettext_lazy("case action", "Ask to return"), gettext_lazy(
            "Tells the dispatcher the case is not your unit's; if approved it goes back to "
            "dispatch. A return after the deadline counts against your unit."),
            forms.ReasonForm),
        ConsoleAction("request_extension", pgettext_lazy("case action", "Ask for more time"), gettext_lazy(
            "Asks the dispatcher for extra hours; approved hours move the deadline."),
            forms.ExtensionForm),
        ConsoleAction("request_suspension", pgettext_lazy("case action", "Ask to suspend"), gettext_lazy(
            "For problems that cannot be solved in time (works, season, money): if the "
            "dispatcher approves, the clock stops until the case is resumed."),
            forms.ReasonForm),
        ConsoleAction("resume", pgettext_lazy("case action", "Resume"), gettext_lazy(
            "Ends the suspension: the case returns to the unit and the deadline moves by the "
            "time it was suspended."), forms.NoteForm, "primary"),
        ConsoleAction("check", pgettext_lazy("case action", "Check"), gettext_lazy(
            "Records your check on site: a pass sends the case to closure, a failure sends "
            "it back to the same unit for rework (counted)."), forms.CheckForm, "primary"),
        ConsoleAction("close", pgettext_lazy("case action", "Close"), gettext_lazy(
            "Closes the case (结案); the closure records whether it was handled on time."),
            forms.NoteForm, "primary"),
        ConsoleAction("assign_inspector", pgettext_lazy("case action", "Assign inspector"), gettext_lazy(
            "Names the inspector who verifies and checks this case, even outside their patrol "
            "area."), forms.AssignForm),
        ConsoleAction("merge", pgettext_lazy("case action", "Merge as duplicate"), gettext_lazy(
            "Cancels this case as a duplicate of another open case; its followers move to "
            "that case."), forms.MergeForm, "danger"),
        ConsoleAction("request_void", pgettext_lazy("case action", "Ask to void"), gettext_lazy(
            "Asks the shift leader to void the case (a test, an impossible report); it stays "
            "as it is until decided."), forms.ReasonForm, "danger"),
        ConsoleAction("supervise", pgettext_lazy("case action", "Issue supervision order"), gettext_lazy(
            "Sends a supervision order (督办) to the handling unit with your opinion; the unit "
            "must reply within the hours given."), forms.SuperviseForm),
    ]
}  # fmt: skip


def run(name: str, actor, case: Case, data: dict, visible) -> str:
    """Call the action; return the success message. ``visible`` is the actor's case queryset."""
    version = data.get("version")
    note = data.get("note") or ""
    if name == "accept":
        actions.accept_case(actor, case, note=note, version=version)
        return _("Accepted.")
    if name == "send_for_verification":
        actions.send_for_verification(actor, case, inspector=data.get("inspector"), note=note,
                                      version=version)  # fmt: skip
        return _("Sent for verification.")
    if name == "refuse":
        actions.refuse_case(actor, case, reason=data["reason"], version=version)
        return _("Refused.")
    if name == "verify":
        actions.verify_case(actor, case, true_report=data["true_report"], note=note,
                            photos=data.get("photos") or [], version=version)  # fmt: skip
        return _("Verification recorded.")
    if name == "file":
        actions.file_case(actor, case, category=data["category"].full_code,
                          standard=data.get("standard") or None, urgency=data.get("urgency"),
                          note=note, version=version)  # fmt: skip
        return _("Filed.")
    if name == "dispatch":
        actions.dispatch_case(actor, case, unit=data["unit"], note=note, version=version)
        return _("Dispatched.")
    if name == "sign":
        actions.sign_case(actor, case, note=note, version=version)
        return _("Signed for.")
    if name == "submit_result":
        actions.submit_result(actor, case, note=note, photos=data.get("photos") or [],
                              version=version)  # fmt: skip
        return _("Result submitted.")
    if name == "request_return":
        actions.request_return(actor, case, reason=data["reason"], version=version)
        return _("Return requested.")
    if name == "request_extension":
        actions.request_extension(actor, case, hours=data["hours"], reason=data["reason"],
                                  version=version)  # fmt: skip
        return _("Extension requested.")
    if name == "request_suspension":
        actions.request_suspension(actor, case, reason=data["reason"], version=version)
        return _("Suspension requested.")
    if name == "resume":
        actions.resume_case(actor, case, note=note, version=version)
        return _("Resumed.")
    if name == "check":
        actions.check_case(actor, case, passed=data["passed"], note=note,
                           photos=data.get("photos") or [], version=version)  # fmt: skip
        return _("Check recorded.") if data["passed"] else _("Check failed: sent back for rework.")
    if name == "close":
        actions.close_case(actor, case, note=note, version=version)
        return _("Closed.")
    if name == "assign_inspector":
        actions.assign_inspector(actor, case, inspector=data["inspector"], note=note,
                                 version=version)  # fmt: skip
        return _("Inspector assigned.")
    if name == "merge":
        number = data["into"].strip().upper()
        target = visible.filter(number=number).first()
        if target is None:
            raise Invalid(_("No case %(number)s that you can see.") % {"number": number}, "into")
        actions.merge_case(actor, case, into=target, note=note, version=version)
        return _("Merged into %(number)s.") % {"number": target.number}
    if name == "request_void":
        actions.request_void(actor, case, reason=data["reason"], version=version)
        return _("Void requested.")
    if name == "supervise":
        actions.issue_supervision(actor, case, opinion=data["opinion"],
                                  reply_hours=data["reply_hours"], version=version)  # fmt: skip
        return _("Supervision order issued.")
    raise Invalid(_("Unknown action."))  # pragma: no cover - names come from ACTIONS


def initial_for(name: str, case: Case) -> dict:
    initial = {"version": case.version}
    if name == "file":
        initial.update(category=case.small_class_id, urgency=case.urgency,
                       standard=case.standard.code if case.standard_id else "")  # fmt: skip
    elif name == "dispatch":
        initial["unit"] = case.proposed_unit_id
    elif name in ("verify", "check"):
        initial[{"verify": "true_report", "check": "passed"}[name]] = "1"
    return initial


# --- decisions on requests -------------------------------------------------------

#: (kind, decision) → action function; the role check is the action's.
DECISIONS = {
    ("return", "approve"): actions.approve_return,
    ("return", "reject"): actions.reject_return,
    ("extension", "approve"): actions.approve_extension,
    ("extension", "reject"): actions.reject_extension,
    ("suspension", "approve"): actions.approve_suspension,
    ("suspension", "reject"): actions.reject_suspension,
    ("void", "approve"): actions.approve_void,
    ("void", "reject"): actions.reject_void,
    ("reopen", "approve"): actions.approve_reopen,
    ("reopen", "reject"): actions.reject_reopen,
}

#: Which role decides which kind of request.
DECIDER = {
    "return": "dispatcher",
    "extension": "dispatcher",
    "suspension": "dispatcher",
    "void": "shift_leader",
    "reopen": "shift_leader",
}


#: Case states in which approving a request of each kind can still take effect
#: (the approving action refuses it in any other state; rejecting is always possible).
APPROVABLE_STATES = {
    "return": (State.DISPATCHED, State.IN_PROGRESS),
    "extension": (State.DISPATCHED, State.IN_PROGRESS, State.SUSPENDED),
    "suspension": (State.DISPATCHED, State.IN_PROGRESS),
    "void": tuple(OPEN_STATES),
    "reopen": (State.CLOSED,),
}


def can_decide(actor, kind: str) -> bool:
    return actor.has(DECIDER[kind], "administrator")


def decisions_for(actor, request: CaseRequest) -> list[str]:
    """The decisions ``actor`` can take on ``request`` now: [], ["reject"] or both.

    Reads ``request.case`` (select it with the request). Approval is offered only
    while the case is in a state where the approving action would accept it.
    """
    if request.status != CaseRequest.Status.PENDING or not can_decide(actor, request.kind):
        return []
    case = request.case
    approvable = case.state in APPROVABLE_STATES[request.kind] and (
        request.kind != CaseRequest.Kind.REOPEN or case.unit_id is not None
    )
    return ["approve", "reject"] if approvable else ["reject"]


def mark_decisions(actor, requests) -> None:
    """Set ``decisions`` and ``can_decide`` on each request (for the decision forms)."""
    for request in requests:
        request.decisions = decisions_for(actor, request)
        request.can_decide = bool(request.decisions)
