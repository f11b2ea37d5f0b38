"""The actions a user can take on a case page: form, explanation, and the call.

Only the names :func:`civicloop.cases.rules.available_actions` returns (the
rule table) are shown; each is posted to one URL and goes through the action
function of the registry ``civicloop.cases.actions.REGISTRY`` (which checks
everything again). :data:`ACTIONS` is only how the console presents each
action (label, explanation, form, style); a test keeps its names equal to the
table's.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from civicloop.cases import actions
from civicloop.cases.actions import Invalid
from civicloop.cases.models import Case
from civicloop.cases.rules import RULES, decisions_for

from . import forms


@dataclass(frozen=True)
class ConsoleAction:
    name: str
    label: str
    explanation: str
    form: type
    style: str = ""  # "primary" / "danger"
    #: The HTML access key of the action on the case page (docs/console.md lists them).
    key: str = ""


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

#: Access keys of the main actions (Alt+key in Chromium/Edge, Alt+Shift+key in Firefox,
#: Ctrl+Option+key on a Mac); one per action, never two on the same page.
ACCESS_KEYS = {
    "accept": "a", "send_for_verification": "y", "verify": "v", "refuse": "n", "file": "f",
    "dispatch": "d", "sign": "s", "submit_result": "r", "request_return": "b",
    "request_extension": "t", "request_suspension": "p", "resume": "u", "check": "c",
    "close": "e", "assign_inspector": "i", "merge": "m",
}  # fmt: skip
ACTIONS = {
    name: ConsoleAction(a.name, a.label, a.explanation, a.form, a.style, ACCESS_KEYS.get(name, ""))
    for name, a in ACTIONS.items()
}


#: What the console says when an action succeeded.
DONE = {
    "accept": gettext_lazy("Accepted."),
    "send_for_verification": gettext_lazy("Sent for verification."),
    "refuse": gettext_lazy("Refused."),
    "verify": gettext_lazy("Verification recorded."),
    "file": gettext_lazy("Filed."),
    "dispatch": gettext_lazy("Dispatched."),
    "sign": gettext_lazy("Signed for."),
    "submit_result": gettext_lazy("Result submitted."),
    "request_return": gettext_lazy("Return requested."),
    "request_extension": gettext_lazy("Extension requested."),
    "request_suspension": gettext_lazy("Suspension requested."),
    "resume": gettext_lazy("Resumed."),
    "close": gettext_lazy("Closed."),
    "assign_inspector": gettext_lazy("Inspector assigned."),
    "request_void": gettext_lazy("Void requested."),
    "supervise": gettext_lazy("Supervision order issued."),
}

#: The fields each form passes on (besides ``version``).
PASSED = ("note", "reason", "inspector", "true_report", "photos", "category", "standard",
          "urgency", "unit", "hours", "passed", "into", "opinion", "reply_hours")  # fmt: skip


def run(name: str, actor, case: Case, data: dict, visible) -> str:
    """Call the action of the registry; return the success message.

    ``visible`` is the actor's case queryset (a merge target must be one the
    user can see). The function checks everything again.
    """
    function = actions.action(name)
    parameters = inspect.signature(function).parameters
    kwargs = {key: data.get(key) for key in PASSED if key in parameters and key in data}
    for key in ("note",):
        if key in parameters:
            kwargs[key] = data.get(key) or ""
    if "photos" in parameters:
        kwargs["photos"] = data.get("photos") or []
    if name == "file":
        kwargs["category"] = data["category"].full_code
        kwargs["standard"] = data.get("standard") or None
    if name == "merge":
        kwargs["into"] = merge_target(data["into"], visible)
    function(actor, case, version=data.get("version"), **kwargs)
    if name == "merge":
        return _("Merged into %(number)s.") % {"number": kwargs["into"].number}
    if name == "check":
        return _("Check recorded.") if data["passed"] else _("Check failed: sent back for rework.")
    return str(DONE[name])


def merge_target(into: Case | int | str, visible) -> Case:
    """The case to merge into: a candidate's id or a number typed, among the visible cases
    (a case already resolved is returned as it is)."""
    if isinstance(into, Case):
        return into
    if isinstance(into, int):
        target = visible.filter(pk=into).first()
        if target is None:
            raise Invalid(_("There is no such case that you can see."), "target")
        return target
    target = visible.filter(number=into).first()
    if target is None:
        raise Invalid(_("No case %(number)s that you can see.") % {"number": into}, "number")
    return target


def form_kwargs(name: str, duplicates) -> dict:
    """What an action's form needs besides its data (the merge form: the candidates)."""
    return {"candidates": duplicates} if name == "merge" else {}


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


def decision_function(kind: str, decision: str):
    """The action deciding a request (from the one registry), or None for an unknown pair."""
    if decision not in ("approve", "reject") or f"{decision}_{kind}" not in RULES:
        return None
    return actions.decision(kind, decision)


def mark_decisions(actor, requests) -> None:
    """Set ``decisions`` and ``can_decide`` on each request (for the decision forms)."""
    for request in requests:
        request.decisions = decisions_for(actor, request)
        request.can_decide = bool(request.decisions)
