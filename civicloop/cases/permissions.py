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
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from civicloop.org.actors import SYSTEM, UNIT_ROLES, Actor, actor_for, public_actor
from civicloop.org.models import Role

from .models import Case
from .rules import CENTRE_ROLES, SEE_ALL_ROLES, can_see_case

#: Who sees a reporter's phone and e-mail and a case's tracking code (the
#: resident's key to rate the result): the centre staff who take residents'
#: calls and administrators; never the handling unit, inspectors or supervisors.
CONTACT_ROLES = (Role.ACCEPTOR, Role.SHIFT_LEADER, Role.ADMINISTRATOR)

__all__ = [
    "CENTRE_ROLES", "CONTACT_ROLES", "SEE_ALL_ROLES", "SYSTEM", "UNIT_ROLES", "Actor",
    "actor_for", "can_see", "public_actor", "sees_reporter_contact", "visible_cases",
    "visible_filter",
]  # fmt: skip


def sees_reporter_contact(actor: Actor) -> bool:
    """Whether ``actor`` may see reporters' contacts and tracking codes (every face asks this)."""
    return actor.has(*CONTACT_ROLES)


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


def can_see(actor: Actor, case: Case) -> bool:
    """Whether ``actor`` may see ``case`` (the rule table's ``can_see_case``, no query)."""
    return bool(can_see_case(actor, case))
