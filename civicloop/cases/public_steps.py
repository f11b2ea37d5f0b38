"""What residents are told about a case: its state and its steps in their words.

One table for every public face (the portal's tracking page, Open311's
``status_notes``). The staff's names of states and actions (批准回退, 下发督办)
mean nothing to a resident; here each internal step is either said in plain
words or hidden (bookkeeping, and steps whose outcome a later step tells).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import CaseEvent, State

Action = CaseEvent.Action

#: Each state as a resident reads it.
PUBLIC_STATES = {
    State.REPORTED: pgettext_lazy("public state", "received, waiting to be taken up"),
    State.VERIFYING: pgettext_lazy("public state", "being verified on the spot"),
    State.PENDING_FILING: pgettext_lazy("public state", "taken up, being registered"),
    State.PENDING_DISPATCH: pgettext_lazy("public state", "registered, being sent to a unit"),
    State.DISPATCHED: pgettext_lazy("public state", "sent to the unit that handles it"),
    State.IN_PROGRESS: pgettext_lazy("public state", "being handled"),
    State.PENDING_CHECK: pgettext_lazy("public state", "handled, being checked on the spot"),
    State.PENDING_CLOSURE: pgettext_lazy("public state", "checked, about to be closed"),
    State.CLOSED: pgettext_lazy("public state", "done"),
    State.SUSPENDED: pgettext_lazy("public state", "on hold: it cannot be handled for now"),
    State.CANCELLED: pgettext_lazy("public state", "closed without handling"),
}

#: Each step of the history as a resident reads it; ``None``: not shown.
PUBLIC_STEPS = {
    Action.REPORT: _("The report was received."),
    Action.ACCEPT: _("The city management centre took up the report."),
    Action.SEND_FOR_VERIFICATION: _("A field officer was sent to look at the place."),
    Action.ASSIGN_INSPECTOR: None,
    Action.VERIFY: _("A field officer looked at the place."),
    Action.REFUSE: _("The centre did not take up the report."),
    Action.FILE: _("Registered as a case, with a time limit for handling."),
    Action.REQUEST_VOID: None,
    Action.APPROVE_VOID: _("Closed: it is not a problem the city handles."),
    Action.REJECT_VOID: None,
    Action.DISPATCH: _("Sent to the unit that handles it."),
    Action.SIGN: _("The unit took it on."),
    Action.REQUEST_RETURN: None,
    Action.APPROVE_RETURN: _("The unit was not the right one; the centre is finding the right unit."),
    Action.REJECT_RETURN: None,
    Action.REQUEST_EXTENSION: None,
    Action.APPROVE_EXTENSION: _("The unit was given more time."),
    Action.REJECT_EXTENSION: None,
    Action.REQUEST_SUSPENSION: None,
    Action.APPROVE_SUSPENSION: _("On hold: it cannot be handled for now (for example, it waits for works or the weather)."),
    Action.REJECT_SUSPENSION: None,
    Action.RESUME: _("Handling started again."),
    Action.SUBMIT_RESULT: _("The unit reported it handled."),
    Action.CHECK: _("A field officer checked the result on the spot."),
    Action.CLOSE: _("Done: the case is closed."),
    Action.SELF_HANDLE: _("A field officer handled it on the spot."),
    Action.SUPERVISE: _("The centre told the unit to hurry up."),
    Action.REPLY_SUPERVISION: None,
    Action.MERGE: _("Joined to an earlier report of the same problem."),
    Action.ABSORB: _("Another report of the same problem was joined to this one."),
    Action.RATE: _("The resident rated the result."),
    Action.REQUEST_REOPEN: None,
    Action.REOPEN: _("Reopened: it is handled again."),
    Action.REJECT_REOPEN: _("Reviewed after the rating: the result stands."),
    Action.ADD_EVIDENCE: None,
    Action.FOLLOW: None,
    Action.LIGHT: None,
    Action.REMIND: None,
    Action.ESCALATE: None,
}  # fmt: skip

#: A check that sent the work back says so.
CHECK_FAILED = _(
    "A field officer checked the result on the spot: not done yet, sent back to the unit."
)
#: A verification that found nothing to handle says so.
VERIFY_FALSE = _("A field officer looked at the place and found no problem to handle.")

#: The actions shown to the public.
SHOWN_ACTIONS = tuple(action for action, words in PUBLIC_STEPS.items() if words is not None)


def public_state(state: str) -> str:
    """The state in a resident's words."""
    return str(PUBLIC_STATES.get(state, state))


def public_step(event: CaseEvent) -> str:
    """What the step ``event`` means to a resident ("" for steps not shown)."""
    if event.action == Action.CHECK and event.to_state == State.IN_PROGRESS:
        return str(CHECK_FAILED)
    if event.action == Action.VERIFY and event.to_state == State.CANCELLED:
        return str(VERIFY_FALSE)
    words = PUBLIC_STEPS.get(event.action)
    return str(words) if words is not None else ""
