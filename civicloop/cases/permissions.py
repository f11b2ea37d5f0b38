"""Who may do what to which case: the actor, its roles and its scope.

An :class:`Actor` is a user with their active memberships loaded once (one
query). Actions ask it for a role and check the case is in the role's scope;
views and the API list cases through :func:`visible_cases`, so a user never
sees a case that is not theirs:

* centre roles (acceptor, shift leader, dispatcher), supervisors and
  administrators see every case;
* an inspector sees the cases of their patrol areas, the ones they reported
  and the ones assigned to them;
* handlers and unit leaders see the cases their unit handles; a street
  office's people also see every case located in their street;
* a road chief sees the cases on their road sections and their own reports.

Seeing a case is not seeing who reported it: the reporter's phone and e-mail
and the tracking code follow the rule table's ``see`` rows
(:func:`sees_reporter_contact`, :func:`sees_tracking_code`), which every output
asks (docs/privacy.md).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from civicloop.org.actors import SYSTEM, UNIT_ROLES, Actor, actor_for, public_actor
from civicloop.org.models import Role

from .models import Case
from .rules import CENTRE_ROLES, RULES, SEE_ALL_ROLES, can_see_case

__all__ = [
    "CENTRE_ROLES", "SEE_ALL_ROLES", "SYSTEM", "UNIT_ROLES", "Actor", "actor_for", "can_see",
    "contact_roles", "public_actor", "sees_any_reporter_contact", "sees_reporter_contact",
    "sees_tracking_code", "visible_cases", "visible_filter",
]  # fmt: skip


class _UnitOnly:
    """What the contact rule reads of a case (its unit), for rows read without a model."""

    __slots__ = ("unit_id",)

    def __init__(self, unit_id):
        self.unit_id = unit_id


def sees_reporter_contact(actor: Actor, case) -> bool:
    """Whether ``actor`` may see the reporter's name, phone and e-mail on ``case``.

    The rule table's ``see_reporter_contact`` row: the command centre (acceptors,
    shift leaders, dispatchers) on every case, handlers and leaders of the unit
    handling the case on that case only, administrators. ``case`` may be a case or
    anything with a ``unit_id`` (a row read with ``values_list``); an int is a unit id.
    """
    if actor.is_public or actor.is_system:
        return False
    if isinstance(case, int) or case is None:
        case = _UnitOnly(case)
    return RULES.allows("see_reporter_contact", actor, case)


def sees_any_reporter_contact(actor: Actor) -> bool:
    """Whether ``actor`` holds a role of ``see_reporter_contact`` (a list then has the
    columns, filled only on the rows :func:`sees_reporter_contact` allows)."""
    return not actor.is_public and not actor.is_system and actor.has(*contact_roles())


def contact_roles() -> tuple[str, ...]:
    """The roles of ``see_reporter_contact`` (administrators included)."""
    return (*RULES["see_reporter_contact"].roles, Role.ADMINISTRATOR)


def sees_tracking_code(actor: Actor, case=None) -> bool:
    """Whether ``actor`` may see tracking codes (the ``see_tracking_code`` row): the
    centre's call desk (acceptors, shift leaders) and administrators, who take residents'
    calls; never the handling unit, whose work the code rates."""
    if actor.is_public or actor.is_system:
        return False
    return RULES.allows("see_tracking_code", actor, case if case is not None else _UnitOnly(None))


def visible_filter(actor: Actor) -> Q | None:
    """A filter on cases for what the actor may see; None means everything."""
    if actor.is_system or actor.has(*SEE_ALL_ROLES):
        return None
    q = Q(pk__in=[])
    if actor.has(Role.INSPECTOR):
        q |= Q(patrol_area_id__in=actor.patrol_area_ids) | Q(assigned_inspector_id=actor.user_id)
    if actor.has(*UNIT_ROLES):
        q |= Q(unit_id__in=actor.unit_ids(*UNIT_ROLES))
        if actor.street_ids:
            q |= Q(street_id__in=actor.street_ids)
    if actor.has(Role.ROAD_CHIEF):
        q |= Q(road_section_id__in=actor.road_section_ids)
    if actor.user_id is not None and not actor.is_public:
        q |= Q(reporter_id=actor.user_id)
    return q


def visible_cases(actor: Actor, queryset: QuerySet | None = None) -> QuerySet:
    """The cases ``actor`` may see (all of them for centre roles)."""
    queryset = Case.objects.all() if queryset is None else queryset
    if actor.is_public:
        return queryset.none()
    q = visible_filter(actor)
    return queryset if q is None else queryset.filter(q)


def visibility_shape(actor: Actor) -> tuple:
    """A hashable key of what :func:`visible_cases` filters ``actor``'s cases by: actors
    with equal keys see the same cases through the same SQL (``core.compiled`` shapes)."""
    if actor.is_public:
        return ("none",)
    return ("filter", visible_filter(actor))


def can_see(actor: Actor, case: Case) -> bool:
    """Whether ``actor`` may see ``case`` (the rule table's ``can_see_case``, no query)."""
    return bool(can_see_case(actor, case))
