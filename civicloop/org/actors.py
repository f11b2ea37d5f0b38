"""Who is acting: a staff user with their memberships, the system, or a resident.

An :class:`Actor` is a user with their active memberships loaded once (one
query, cached on the user object). Every app's actions and rule tables ask it
for roles, units, patrol areas and road sections; what each app lets a role
see and do is that app's ``rules.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.utils.translation import gettext as _

from .models import Membership, Role, Unit

UNIT_ROLES = (Role.HANDLER, Role.UNIT_LEADER)


@dataclass
class Actor:
    """Someone acting on cases: a staff user, the system, or an anonymous resident."""

    user: object | None = None
    memberships: list[Membership] = field(default_factory=list)
    is_system: bool = False
    is_public: bool = False
    display_name: str = ""

    @property
    def user_id(self) -> int | None:
        return getattr(self.user, "pk", None)

    @property
    def name(self) -> str:
        if self.display_name:
            return self.display_name
        if self.is_system:
            return _("system")
        if self.is_public:
            return _("resident")
        person = getattr(self.user, "person", None) if self.user is not None else None
        if person is not None:
            return person.name
        return self.user.get_username() if self.user is not None else ""

    @property
    def is_superuser(self) -> bool:
        return bool(getattr(self.user, "is_superuser", False))

    @cached_property
    def roles(self) -> set[str]:
        roles = {m.role for m in self.memberships}
        if self.is_superuser or self.is_system:
            roles.add(Role.ADMINISTRATOR)
        return roles

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def first_role(self, *roles: str) -> str:
        """The first of ``roles`` the actor holds (the role an action is recorded under)."""
        for role in roles:
            if role in self.roles:
                return role
        return ""

    def unit_ids(self, *roles: str) -> set[int]:
        return {m.unit_id for m in self.memberships if not roles or m.role in roles}

    @cached_property
    def patrol_area_ids(self) -> set[int]:
        return {
            m.patrol_area_id
            for m in self.memberships
            if m.role == Role.INSPECTOR and m.patrol_area_id
        }

    @cached_property
    def road_section_ids(self) -> set[int]:
        return {
            m.road_section_id
            for m in self.memberships
            if m.role == Role.ROAD_CHIEF and m.road_section_id
        }

    @cached_property
    def street_ids(self) -> set[int]:
        """Streets of the street offices the actor handles cases for."""
        return {
            m.unit.region_id
            for m in self.memberships
            if m.role in UNIT_ROLES and m.unit.kind == Unit.Kind.STREET_OFFICE and m.unit.region_id
        }

    @property
    def primary_unit_id(self) -> int | None:
        return self.memberships[0].unit_id if self.memberships else None


SYSTEM = Actor(is_system=True)


def public_actor(name: str = "") -> Actor:
    return Actor(is_public=True, display_name=name)


def actor_for(user) -> Actor:
    """The actor of a user (memberships loaded once and cached on the user object)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return public_actor()
    cached = getattr(user, "_civicloop_actor", None)
    if cached is not None:
        return cached
    memberships = list(
        Membership.objects.filter(person__user=user, is_active=True, person__is_active=True)
        .select_related("unit")
        .order_by("id")
    )
    actor = Actor(user=user, memberships=memberships)
    user._civicloop_actor = actor
    return actor
