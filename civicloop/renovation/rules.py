"""Who may do what in renovation, in which state: the rule table.

Objects are projects, orders, work items, stages and votes; each has a
``state``. Roles are ``org.Role`` codes plus the pseudo-role ``resident``
carried by :class:`Resident` (a household proved by its code). Scopes:

* a community worker acts on compounds inside the territory of their unit
  (a community, or a whole street for a street office's worker);
* a resident acts on their own household's compound only;
* an adopter delivers only the items its unit adopted;
* the renovation office acts district-wide.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicloop.core.ruletable import RuleTable, Transition, predicate
from civicloop.org.models import Role

from .models import Order, Project, Stage, Vote, WorkItem

RESIDENT = "resident"


@dataclass
class Resident:
    """An anonymous resident who proved their household with its code."""

    household: object
    code: str = field(default="", repr=False)
    user = None
    user_id = None
    is_system = False
    is_public = True
    memberships: tuple = ()

    @property
    def roles(self) -> set[str]:
        return {RESIDENT}

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def first_role(self, *roles: str) -> str:
        return next((r for r in roles if r in self.roles), "")

    def unit_ids(self, *roles: str) -> set[int]:
        return set()

    @property
    def name(self) -> str:
        return str(_("resident of %(dwelling)s")) % {"dwelling": self.household.label}


def compound_of(obj):
    """The compound an object belongs to (projects and orders hold it; the rest via the project)."""
    if isinstance(obj, Project | Order):
        return obj.compound
    return obj.project.compound


def territory_ids(actor) -> set[int]:
    """Regions (communities or streets) of the actor's community-worker units."""
    return {
        m.unit.region_id
        for m in getattr(actor, "memberships", ())
        if m.role == Role.COMMUNITY_WORKER and m.unit.region_id
    }


def in_territory(actor, compound) -> bool:
    ids = territory_ids(actor)
    return compound.community_id in ids or compound.community.parent_id in ids


@predicate
def compound_in_territory(actor, obj) -> bool:
    return in_territory(actor, compound_of(obj))


compound_in_territory.name = "compound_in_territory"


@predicate
def own_compound(actor, obj) -> bool:
    household = getattr(actor, "household", None)
    return household is not None and household.compound_id == compound_of(obj).pk


own_compound.name = "own_compound"


def _safe_adoption(item):
    try:
        return item.adoption
    except WorkItem.adoption.RelatedObjectDoesNotExist:
        return None


@predicate
def own_adoption(actor, item) -> bool:
    if actor.has(Role.RENOVATION_OFFICER):
        return True
    adoption = _safe_adoption(item)
    return adoption is not None and adoption.unit_id in actor.unit_ids(Role.ADOPTER)


own_adoption.name = "own_adoption"

NOT_YOURS = _("This compound is not in your community's territory.")
NOT_YOUR_COMPOUND = _("Your household does not belong to this compound.")

ACTIVE_PROJECT = (Project.State.PLANNING, Project.State.UNDERWAY)
S = Order.State
I = WorkItem.State  # noqa: E741 - the states of items, read as I.PLANNED
CW, RO, AD = Role.COMMUNITY_WORKER, Role.RENOVATION_OFFICER, Role.ADOPTER

TRANSITIONS = [
    # --- households and orders (下单、审单) -------------------------------------
    Transition("issue_codes", _("Issue household codes"), (), (), (CW,),
               compound_in_territory, NOT_YOURS),
    Transition("place_order", _("Place an order"), ACTIVE_PROJECT, (), (RESIDENT,),
               own_compound, NOT_YOUR_COMPOUND, admin=False),
    Transition("accept_order", pgettext_lazy("renovation", "Accept"), (S.SUBMITTED,), (S.ACCEPTED,), (CW,),
               compound_in_territory, NOT_YOURS, kind="review"),
    Transition("merge_order", _("Merge with a similar order"), (S.SUBMITTED,), (S.MERGED,), (CW,),
               compound_in_territory, NOT_YOURS, kind="review"),
    Transition("decline_order", _("Decline"), (S.SUBMITTED,), (S.DECLINED,), (CW,),
               compound_in_territory, NOT_YOURS, kind="review"),
    Transition("take_order", _("Take into the plan as a work item"), (S.ACCEPTED,), (S.TAKEN,),
               (RO,)),
    # --- 一征三议两公开 ----------------------------------------------------------
    Transition("open_stage", _("Start this stage"), (Stage.State.PENDING,), (Stage.State.OPEN,),
               (CW,), compound_in_territory, NOT_YOURS, kind="stage"),
    Transition("complete_stage", _("Record and complete"), (Stage.State.OPEN,),
               (Stage.State.DONE,), (CW,), compound_in_territory, NOT_YOURS, kind="stage"),
    # --- votes ----------------------------------------------------------------
    Transition("create_vote", _("Prepare a vote"), ACTIVE_PROJECT, (), (CW,),
               compound_in_territory, NOT_YOURS),
    Transition("open_vote", _("Open the vote"), (Vote.State.DRAFT,), (Vote.State.OPEN,), (CW,),
               compound_in_territory, NOT_YOURS, kind="vote"),
    Transition("cast_vote", _("Vote"), (Vote.State.OPEN,), (), (RESIDENT,),
               own_compound, NOT_YOUR_COMPOUND, admin=False, kind="ballot"),
    Transition("change_vote", _("Change my vote"), (Vote.State.OPEN,), (), (RESIDENT,),
               own_compound, NOT_YOUR_COMPOUND, admin=False, kind="ballot"),
    Transition("close_vote", _("Close and publish the results"), (Vote.State.OPEN,),
               (Vote.State.CLOSED,), (CW,), compound_in_territory, NOT_YOURS, kind="vote"),
    # --- work items (接单、做单、评单) ----------------------------------------------
    Transition("import_programme", _("Import the programme from xlsx"), (), (), (RO,),
               kind="ledger"),
    Transition("add_item", _("Add a work item"), ACTIVE_PROJECT, (), (RO,)),
    Transition("update_item", _("Update quantity, budget or progress"),
               (I.PLANNED, I.UNDERWAY, I.RETURNED), (), (RO,), kind="item"),
    Transition("adopt_item", _("Adopt"), (I.PLANNED,), (I.UNDERWAY,), (AD,), kind="item"),
    Transition("deliver_item", _("Report delivery"), (I.UNDERWAY, I.RETURNED), (I.DELIVERED,),
               (AD, RO), own_adoption, _("Only the adopter of this item may report it."),
               kind="item"),
    Transition("rate_item", _("Rate"), (I.DELIVERED, I.DONE), (I.DONE, I.RETURNED), (RESIDENT,),
               own_compound, NOT_YOUR_COMPOUND, admin=False, kind="rating"),
]  # fmt: skip

ALL_STATES = {
    **dict(Project.State.choices),
    **dict(Order.State.choices),
    **dict(WorkItem.State.choices),
    **dict(Stage.State.choices),
    **dict(Vote.State.choices),
}


def _role_label(code: str) -> str:
    if code == RESIDENT:
        return str(_("resident"))
    return str(Role(code).label) if code in Role.values else code


RULES = RuleTable(
    TRANSITIONS,
    state_of=lambda obj: getattr(obj, "state", ""),
    state_label=lambda s: str(ALL_STATES.get(s, s)),
    role_label=_role_label,
)


DISTRICT_WIDE = (RO, Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR, AD)


def may_see_desk(actor, project) -> bool:
    """Who sees a compound's desk in the console (households, codes, timeline): the office,
    district leaders, supervisors, adopters (to find items), and the compound's community."""
    if actor.has(*DISTRICT_WIDE):
        return True
    return actor.has(CW) and in_territory(actor, project.compound)


def may_see_ledger(actor) -> bool:
    return actor.has(*DISTRICT_WIDE, CW)
