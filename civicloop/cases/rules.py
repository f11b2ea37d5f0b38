"""The case loop as data: who may do which action on a case in which state.

One :class:`~civicloop.core.ruletable.RuleTable` row per action of
:mod:`civicloop.cases.actions` (action name, from-states, to-states, the
roles that may do it, the scope predicate and the sentence said when it
fails, the request kind a decision decides). Every action checks itself
against this table; :func:`available_actions` (the console's menus, the API's
``actions``), :func:`decisions_for` (the decision forms, the API's
``can_decide``), the demo generator and ``docs/case-rules.md``
(:func:`markdown`) read it. Scope rules are written once, here, as named
predicates.

Order of the rows matters: menus list actions in table order.

Two rows of ``kind="see"`` are no action: who may see a reporter's name (a
caller's, or one an Open311 app sent), phone and e-mail (``see_reporter_contact``) and a case's tracking code
(``see_tracking_code``). Every output asks them through
:func:`civicloop.cases.permissions.sees_reporter_contact` and
:func:`~civicloop.cases.permissions.sees_tracking_code` (docs/privacy.md).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy, pgettext_lazy

from civicloop.core.ruletable import RuleTable, Transition, predicate
from civicloop.org.actors import UNIT_ROLES
from civicloop.org.models import Role

from .models import HANDLING_STATES, OPEN_STATES, CaseRequest, Source, State

#: Roles that see every case (the command centre, the supervision office, administrators).
CENTRE_ROLES = (Role.ACCEPTOR, Role.SHIFT_LEADER, Role.DISPATCHER)
SEE_ALL_ROLES = (*CENTRE_ROLES, Role.SUPERVISOR, Role.ADMINISTRATOR)

#: Which roles may report from which source (residents need no role).
SOURCE_ROLES = {
    Source.INSPECTOR: (Role.INSPECTOR,),
    Source.HOTLINE: (Role.ACCEPTOR, Role.SHIFT_LEADER),
    Source.CAMERA: (Role.ACCEPTOR, Role.SHIFT_LEADER),
    Source.LEADER: (Role.UNIT_LEADER, Role.SUPERVISOR, Role.SHIFT_LEADER),
    Source.SUPERVISION: (Role.SUPERVISOR,),
    Source.ROAD_CHIEF: (Role.ROAD_CHIEF,),
    Source.VOLUNTEER: (Role.ACCEPTOR, Role.SHIFT_LEADER),
}

#: Requests a handling unit makes (they lapse when the unit's hold on the case ends).
UNIT_REQUESTS = (CaseRequest.Kind.RETURN, CaseRequest.Kind.EXTENSION, CaseRequest.Kind.SUSPENSION)


# --- scope predicates (written once) -------------------------------------------------


@predicate
def in_case_unit(actor, case) -> bool:
    """The actor is a handler or leader of the unit handling the case."""
    return case.unit_id is not None and case.unit_id in actor.unit_ids(*UNIT_ROLES)


@predicate
def inspector_may_act_here(actor, case) -> bool:
    """The case is assigned to this inspector, or unassigned in one of their patrol areas."""
    if not actor.has(Role.INSPECTOR):
        return False
    if case.assigned_inspector_id is not None:
        return case.assigned_inspector_id == actor.user_id
    return case.patrol_area_id is not None and case.patrol_area_id in actor.patrol_area_ids


def _inspector_refusal(actor, case) -> str:
    if case.assigned_inspector_id is not None:
        return str(gettext_lazy("This case is assigned to another inspector."))
    return str(
        gettext_lazy("This case is outside your patrol area; a shift leader can assign it to you.")
    )


@predicate
def can_see_case(actor, case) -> bool:
    """The case is in the actor's scope (the same rule as ``Case.objects.visible_to``)."""
    if actor.is_public:
        return False
    if actor.is_system or actor.has(*SEE_ALL_ROLES):
        return True
    if actor.has(Role.INSPECTOR) and (
        case.patrol_area_id in actor.patrol_area_ids
        or (case.assigned_inspector_id is not None and case.assigned_inspector_id == actor.user_id)
    ):
        return True
    if actor.has(*UNIT_ROLES) and (
        case.unit_id in actor.unit_ids(*UNIT_ROLES) or case.street_id in actor.street_ids
    ):
        return True
    if actor.has(Role.ROAD_CHIEF) and case.road_section_id in actor.road_section_ids:
        return True
    return actor.user_id is not None and case.reporter_id == actor.user_id


@predicate
def is_staff(actor, case) -> bool:
    return not actor.is_public


staff_who_can_see_case = is_staff & can_see_case


def _evidence_refusal(actor, case) -> str:
    if actor.is_public:
        return str(gettext_lazy("Only staff may add evidence."))
    return str(gettext_lazy("You cannot add evidence to this case."))


@predicate
def order_addressed_to_unit(actor, order) -> bool:
    """A supervision order is answered by the unit it is addressed to."""
    return order.unit_id in actor.unit_ids(*UNIT_ROLES)


@predicate
def centre_or_case_unit(actor, case) -> bool:
    """The actor works at the command centre (any case), or is a handler or leader of the
    unit handling the case (only a case assigned to their unit; not a case without a unit)."""
    return actor.has(*CENTRE_ROLES) or in_case_unit(actor, case)


@predicate
def has_unit(case) -> bool:
    """The case has (or had) a handling unit."""
    return case.unit_id is not None


#: States after the unit reported its result (待核查 and later): the case has been handled.
HANDLED_STATES = (State.PENDING_CHECK, State.PENDING_CLOSURE, State.CLOSED)


@predicate
def not_yet_handled(case) -> bool:
    """The handling unit has not reported a result yet (the case is not pending check,
    pending closure or closed): a duplicate merged later would hide work already done."""
    return case.state not in HANDLED_STATES


# --- the table -------------------------------------------------------------------------

S = State
SL, ACC, DIS, INS, SUP = (
    Role.SHIFT_LEADER, Role.ACCEPTOR, Role.DISPATCHER, Role.INSPECTOR, Role.SUPERVISOR,
)  # fmt: skip
NOT_YOUR_UNIT = gettext_lazy("This case is not handled by your unit.")
OPEN = tuple(OPEN_STATES)
HANDLING = tuple(HANDLING_STATES)


def _label(text):
    return pgettext_lazy("case action", text)


def _decisions(kind, label, roles, approve_from, approve_to=(), guard=None, guard_refusal=""):
    return [
        Transition(f"approve_{kind}", label, approve_from, approve_to, roles, kind="decision",
                   decides=kind, guard=guard, guard_refusal=guard_refusal,
                   data={"decision": "approve"}),
        Transition(f"reject_{kind}", label, (), (), roles, kind="decision", decides=kind,
                   data={"decision": "reject"}),
    ]  # fmt: skip


TRANSITIONS = [
    # intake (no case yet: the roles of a report depend on its source)
    Transition("report", _label("Report"), (), (S.REPORTED, S.DISPATCHED), (), kind="intake",
               data={"source_roles": SOURCE_ROLES}),
    Transition("self_handle", _label("Report self-handled"), (), (S.PENDING_CLOSURE,), (INS,),
               kind="intake"),
    # the centre
    Transition("accept", _label("Accept"), (S.REPORTED,), (S.PENDING_FILING,), (ACC, SL)),
    Transition("send_for_verification", _label("Send for verification"), (S.REPORTED,),
               (S.VERIFYING,), (ACC, SL)),
    Transition("verify", _label("Verify"), (S.VERIFYING,), (S.PENDING_FILING, S.CANCELLED),
               (INS,), inspector_may_act_here, _inspector_refusal),
    Transition("refuse", _label("Refuse"), (S.REPORTED, S.VERIFYING), (S.CANCELLED,), (ACC, SL)),
    Transition("file", _label("File"), (S.PENDING_FILING,), (S.PENDING_DISPATCH,), (SL,)),
    Transition("refuse_at_filing", _label("Refuse"), (S.PENDING_FILING,), (S.CANCELLED,), (SL,),
               data={"offers": "refuse"}),
    Transition("dispatch", _label("Dispatch"), (S.PENDING_DISPATCH,), (S.DISPATCHED,), (DIS,)),
    # handling
    Transition("sign", _label("Sign for"), (S.DISPATCHED,), (S.IN_PROGRESS,), UNIT_ROLES,
               in_case_unit, NOT_YOUR_UNIT),
    Transition("submit_result", _label("Submit result"), (S.IN_PROGRESS,), (S.PENDING_CHECK,),
               UNIT_ROLES, in_case_unit, NOT_YOUR_UNIT),
    Transition("request_return", _label("Ask to return"), HANDLING, (), UNIT_ROLES, in_case_unit,
               NOT_YOUR_UNIT, kind="request", data={"requests": CaseRequest.Kind.RETURN}),
    Transition("request_extension", _label("Ask for more time"), HANDLING, (), UNIT_ROLES,
               in_case_unit, NOT_YOUR_UNIT, kind="request",
               data={"requests": CaseRequest.Kind.EXTENSION}),
    Transition("request_suspension", _label("Ask to suspend"), HANDLING, (), UNIT_ROLES,
               in_case_unit, NOT_YOUR_UNIT, kind="request",
               data={"requests": CaseRequest.Kind.SUSPENSION}),
    Transition("resume", _label("Resume"), (S.SUSPENDED,), (S.IN_PROGRESS, S.DISPATCHED), (DIS,)),
    Transition("check", _label("Check"), (S.PENDING_CHECK,), (S.PENDING_CLOSURE, S.IN_PROGRESS),
               (INS,), inspector_may_act_here, _inspector_refusal),
    Transition("close", _label("Close"), (S.PENDING_CLOSURE,), (S.CLOSED,), (SL,)),
    # on any open case
    Transition("assign_inspector", _label("Assign inspector"), OPEN, (), (SL, ACC)),
    Transition("merge", _label("Merge as duplicate"), OPEN, (S.CANCELLED,), (SL,),
               guard=not_yet_handled,
               guard_refusal=gettext_lazy(
                   "This case has already been handled (its result was reported); it can no "
                   "longer be merged as a duplicate.")),
    Transition("request_void", _label("Ask to void"), OPEN, (), (ACC, DIS, SL, INS),
               can_see_case, gettext_lazy("This case is not in your scope."), kind="request",
               data={"requests": CaseRequest.Kind.VOID}),
    Transition("supervise", _label("Issue supervision order"), OPEN, (), (SUP, SL),
               guard=has_unit,
               guard_refusal=gettext_lazy("The case has no handling unit yet; dispatch it first.")),
    Transition("add_evidence", _label("Add photos"), OPEN, (), (), staff_who_can_see_case,
               _evidence_refusal, kind="evidence"),
    # decisions on requests (approving needs a state where it can take effect; rejecting does not)
    *_decisions(CaseRequest.Kind.RETURN, _label("Decide a return"), (DIS,), HANDLING,
                (S.PENDING_DISPATCH,)),
    *_decisions(CaseRequest.Kind.EXTENSION, _label("Decide an extension"), (DIS,),
                (*HANDLING, S.SUSPENDED)),
    *_decisions(CaseRequest.Kind.SUSPENSION, _label("Decide a suspension"), (DIS,), HANDLING,
                (S.SUSPENDED,)),
    *_decisions(CaseRequest.Kind.VOID, _label("Decide a void"), (SL,), OPEN, (S.CANCELLED,)),
    *_decisions(CaseRequest.Kind.REOPEN, _label("Decide a reopen"), (SL,), (S.CLOSED,),
                (S.DISPATCHED,), guard=has_unit,
                guard_refusal=gettext_lazy(
                    "This case was never dispatched; it cannot be re-handled.")),
    # supervision orders (the object is the order, not the case)
    Transition("reply_supervision", _label("Reply to supervision order"), (), (), (),
               order_addressed_to_unit,
               gettext_lazy("This supervision order is addressed to another unit."), kind="reply"),
    # what staff may see of the resident who reported (``kind="see"``: no action, no state;
    # asked by every face through ``permissions.sees_reporter_contact`` and
    # ``permissions.sees_tracking_code``, the words of the portal's privacy notice)
    Transition("see_reporter_contact", _label("See the reporter's name, phone and e-mail"), (), (),
               (ACC, SL, DIS, *UNIT_ROLES), centre_or_case_unit,
               gettext_lazy("Only the command centre and the unit handling the case see "
                            "the reporter's contacts."), kind="see"),
    Transition("see_tracking_code", _label("See the tracking code"), (), (), (ACC, SL),
               kind="see"),
    # residents (no role; the public face)
    Transition("follow", _label("Follow"), OPEN, (), (), kind="public", admin=False),
    Transition("rate", _label("Rate"), (S.CLOSED,), (), (), kind="public", admin=False),
]  # fmt: skip


def _role_label(code: str) -> str:
    try:
        return str(Role(code).label)
    except ValueError:
        return code


RULES = RuleTable(
    TRANSITIONS,
    state_label=lambda code: str(State(code).label),
    role_label=_role_label,
    state_refusal=gettext_lazy(
        "The case is %(state)s; this can only be done when it is %(allowed)s."
    ),
)

#: Kinds of rows a case page and the API offer as actions.
MENU_KINDS = ("action", "request")


def available_actions(actor, case) -> list[str]:
    """Names of the actions ``actor`` may attempt on ``case`` now (for menus and the API).

    The action itself still checks everything (and validates its input); this
    reads the same rows, so a menu never offers what the action refuses for
    role, scope or state.
    """
    return RULES.available(actor, case, kind=MENU_KINDS)


def decider_roles(kind: str) -> tuple[str, ...]:
    """The roles that decide requests of ``kind``."""
    return RULES[f"approve_{kind}"].roles


def decisions_for(actor, request) -> list[str]:
    """The decisions ``actor`` may take on a pending ``request`` now: [], ["reject"] or both.

    Reads ``request.case`` (select it with the request). Approval is offered only
    while the case is in a state where the approving action would accept it.
    """
    if request.status != CaseRequest.Status.PENDING:
        return []
    names = RULES.decisions(actor, request.kind, request.case)
    return [RULES[n].data["decision"] for n in names]


def stage_states(*roles: str) -> tuple[str, ...]:
    """The states whose stage belongs to one of ``roles``: the states an action of theirs
    moves forward (an ``action`` row leaving the state for one that is not cancelled).

    Read from the table, not written again: the inspector's are verifying and pending
    check, the handling units' dispatched and in progress, the dispatcher's pending
    dispatch and suspended, and so on. Rows allowed in any open state (assign, merge)
    and rows that only cancel (refuse) make no stage their own. In :class:`State` order.
    """
    wanted = set(roles)
    owned = set()
    for row in RULES:
        if row.kind != "action" or not row.to_states or tuple(row.from_states) == OPEN:
            continue
        if set(row.to_states) <= {S.CANCELLED} or not wanted & set(row.roles):
            continue
        owned.update(row.from_states)
    return tuple(s for s in State.values if s in owned)


def refuse_row(case) -> str:
    """Refusing before filing (不予受理) and at filing (不予立案) have different roles."""
    return "refuse_at_filing" if case.state == State.PENDING_FILING else "refuse"


def markdown() -> str:
    """``docs/case-rules.md``: the table, generated (a test keeps the file equal to it)."""
    table = RULES.markdown(("action", "kind", "from", "to", "roles", "scope", "guard", "decides"))
    lines = [
        "# Case rules",
        "",
        "<!-- Generated from civicloop/cases/rules.py by "
        "`manage.py case_rules --write`; do not edit by hand. -->",
        "",
        "Every action on a case, as the rule table `civicloop.cases.rules.RULES` declares it.",
        "An action checks, in this order, the **role** (administrators may do what any role",
        "may, except the residents' rows), the **scope** predicate, the **state**, and the",
        "**condition** (which nobody bypasses). Menus, the API's `actions` and `can_decide`,",
        "the decision forms and the demo generator read the same rows.",
        "",
        "States: " + ", ".join(f"`{s}` ({State(s).label})" for s in State.values) + ".",
        "",
        table,
        "## What staff see of the reporter",
        "",
        "The rows of kind `see` are no action and change nothing: they say who sees a",
        "reporter's name, phone and e-mail (`see_reporter_contact`) and a case's tracking code,",
        "the resident's key to rate the result (`see_tracking_code`), as the portal's",
        "privacy notice promises. Every output asks them through",
        "`civicloop.cases.permissions.sees_reporter_contact` and `sees_tracking_code`;",
        "docs/privacy.md lists the outputs.",
        "",
        "## Scope predicates",
        "",
    ]
    for pred in (in_case_unit, inspector_may_act_here, can_see_case, staff_who_can_see_case,
                 centre_or_case_unit, order_addressed_to_unit, has_unit, not_yet_handled):  # fmt: skip
        doc = (getattr(pred, "fn", None) and pred.fn.__doc__) or ""
        lines.append(f"- `{pred.name}`: {' '.join(doc.split())}".rstrip(": ") or pred.name)
    lines += [
        "",
        "## Reports by source",
        "",
        "| source | roles |",
        "|---|---|",
    ]
    for source in Source.values:
        roles = SOURCE_ROLES.get(source)
        lines.append(
            f"| `{source}` | " + (", ".join(f"`{r}`" for r in roles) if roles else "anyone")
            + " |"
        )  # fmt: skip
    return "\n".join(lines) + "\n"
