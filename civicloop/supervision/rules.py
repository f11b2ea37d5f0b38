"""Who may do what to a supervised item, in which state: the rule table.

The office (role ``supervisor``, 督查局) registers, assigns, reviews, closes,
reopens, decides extensions, chases and orders interviews. District leaders
(``leader``) may register items (their instructions). The lead unit's
handlers and leaders sign, report progress, report completion and ask for
more time; cooperating units report their part. Menus, the API's
``actions`` lists and the docs read this table; :mod:`.actions` checks it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from civicloop.core.ruletable import RuleTable, Transition, predicate
from civicloop.org.models import Role

from .models import OPEN_STATES, RUNNING_STATES, WORKING_STATES, State

OFFICE = (Role.SUPERVISOR,)
UNIT = (Role.HANDLER, Role.UNIT_LEADER)
#: Roles that see every item (the office, district leaders).
OVERSEERS = (Role.SUPERVISOR, Role.LEADER, Role.ADMINISTRATOR)


@predicate
def in_lead_unit(actor, item) -> bool:
    return item.lead_unit_id in actor.unit_ids(*UNIT)


@predicate
def in_cooperating_unit(actor, item) -> bool:
    return bool(actor.unit_ids(*UNIT) & item.cooperating_ids())


@predicate
def after_repeated_reds(actor, item) -> bool:
    from .models import SupervisionSettings

    return item.red_count >= SupervisionSettings.get().interview_after_reds


@predicate
def has_pending_extension(actor, item) -> bool:
    return item.extension_requests.filter(status="pending").exists()


@predicate
def no_pending_extension(actor, item) -> bool:
    return not item.extension_requests.filter(status="pending").exists()


T = Transition
TABLE = RuleTable(
    [
        T("register", _("Register"), (), (State.REGISTERED,), (*OFFICE, Role.LEADER),
          kind="create"),
        T("assign", _("Assign"), (State.REGISTERED, State.ASSIGNED), (State.ASSIGNED,), OFFICE),
        T("sign", _("Sign for receipt"), (State.ASSIGNED,), (State.SIGNED,), UNIT, in_lead_unit,
          _("Only the lead unit signs for this item.")),
        T("report_progress", _("Report progress"), WORKING_STATES, (State.IN_PROGRESS,), UNIT,
          in_lead_unit, _("Only the lead unit reports progress on this item.")),
        T("report_part", _("Report our part"), WORKING_STATES, (), UNIT, in_cooperating_unit,
          _("Only a cooperating unit reports its part.")),
        T("submit_completion", _("Report completion"), WORKING_STATES, (State.REPORTED,), UNIT,
          in_lead_unit, _("Only the lead unit reports completion of this item.")),
        T("pass_review", _("Pass the review"), (State.REPORTED,), (State.PASSED,), OFFICE,
          kind="decision"),
        T("reject_review", _("Reject (back to the unit)"), (State.REPORTED,),
          (State.IN_PROGRESS,), OFFICE, kind="decision"),
        T("close", _("Close (销号)"), (State.PASSED,), (State.CLOSED,), OFFICE),
        T("reopen", _("Reopen"), (State.PASSED, State.CLOSED), (State.IN_PROGRESS,), OFFICE),
        T("request_extension", _("Ask for more time"), (State.ASSIGNED, *WORKING_STATES), (),
          UNIT, in_lead_unit & no_pending_extension,
          _("Only the lead unit asks for more time, one request at a time."), kind="request",
          admin=False),
        T("approve_extension", _("Approve the extension"), OPEN_STATES, (), OFFICE,
          has_pending_extension, _("There is no extension request to decide."),
          kind="decision", decides="extension", admin=False),
        T("reject_extension", _("Refuse the extension"), OPEN_STATES, (), OFFICE,
          has_pending_extension, _("There is no extension request to decide."),
          kind="decision", decides="extension", admin=False),
        T("chase", _("Chase (催办)"), RUNNING_STATES[1:], (), OFFICE),
        T("order_interview", _("Order an interview (约谈)"), OPEN_STATES, (), OFFICE,
          after_repeated_reds, _("An interview is ordered only after repeated red sheets."),
          admin=False),
    ],
    state_label=lambda code: str(State(code).label),
    role_label=lambda code: str(Role(code).label),
)  # fmt: skip

#: Names of the transitions done on an existing item (everything but ``register``).
ITEM_ACTIONS = [t.name for t in TABLE if t.kind != "create"]


def available(actor, item) -> list[str]:
    """What ``actor`` may do on ``item`` now, in table order (menus, API)."""
    return [name for name in ITEM_ACTIONS if TABLE.allows(name, actor, item)]


def sees_all(actor) -> bool:
    return actor.has(*OVERSEERS)


def visible_items(actor, queryset):
    """The items ``actor`` may see: all for the office and leaders, else their units' own."""
    if sees_all(actor):
        return queryset
    units = actor.unit_ids(*UNIT)
    if not units:
        return queryset.none()
    from django.db.models import Exists, OuterRef, Q

    from .models import Item

    through = Item.cooperating_units.through
    cooperating = through.objects.filter(item_id=OuterRef("pk"), unit_id__in=units)
    return queryset.filter(Q(lead_unit_id__in=units) | Exists(cooperating))


def visible_rows(actor, queryset):
    """Campaign rows ``actor`` may see: all for the office and leaders, else their units'."""
    if sees_all(actor):
        return queryset
    return queryset.filter(unit_id__in=actor.unit_ids(*UNIT))


def may_edit_row(actor, row) -> bool:
    return actor.has(Role.SUPERVISOR, Role.ADMINISTRATOR) or row.unit_id in actor.unit_ids(*UNIT)
