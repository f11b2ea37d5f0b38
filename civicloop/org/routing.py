"""Routing: which unit owns this category at this point, and why.

``route(category_code, location, owner)`` reads the responsibility rules for
the small class and its class (from the process's copy of the active rules,
street offices and road chiefs, ``civicloop.core.memo``: no query), keeps those whose place and owner
match the location, and picks the most specific. The answer carries the rule,
a reason a person can read, the other candidates, and whether the choice was
ambiguous (two equally specific rules), which the fast lane must respect.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from civicloop.core.memo import Memo, bump_on_change
from civicloop.geo.locator import Location, locate

from .models import Membership, Person, ResponsibilityRule, Role, Unit

MEMO_NAME = "org.routing"

PLACE_SPECIFICITY = {"road": 4, 3: 3, 2: 2, 1: 1, None: 0}


@dataclass(frozen=True)
class RoutingDecision:
    unit: Unit | None
    rule: ResponsibilityRule | None
    reason: str
    fallback: bool = False
    ambiguous: bool = False
    candidates: list[ResponsibilityRule] = field(default_factory=list, compare=False)


def _specificity(rule: ResponsibilityRule, location: Location, owner: str) -> tuple | None:
    """The rule's rank for this case, or None if it does not apply."""
    if rule.owner and rule.owner != owner:
        return None
    if rule.road_id is not None:
        if rule.road_id != location.road_id:
            return None
        place = PLACE_SPECIFICITY["road"]
    elif rule.region_id is not None:
        if rule.region_id not in location.region_ids:
            return None
        place = PLACE_SPECIFICITY[rule.region.level]
    else:
        place = 0
    return (1 if rule.owner else 0, len(rule.category_code), place, rule.priority)


def _describe(rule: ResponsibilityRule) -> str:
    place = (
        rule.road.name if rule.road_id else (rule.region.name if rule.region_id else _("anywhere"))
    )
    text = _("rule #%(id)s: category %(code)s, %(place)s") % {
        "id": rule.pk,
        "code": rule.category_code,
        "place": place,
    }
    if rule.owner:
        text += _(", owner %(owner)s") % {"owner": rule.owner}
    return text


# --- what routing reads, kept in memory -------------------------------------------


@dataclass
class RoutingData:
    """Active rules by category code, street offices by street, road chiefs by section."""

    rules: dict[str, list[ResponsibilityRule]] = field(default_factory=dict)
    street_offices: dict[int, Unit] = field(default_factory=dict)
    road_chiefs: dict[int, Membership] = field(default_factory=dict)


def _load() -> RoutingData:
    data = RoutingData()
    rules = (
        ResponsibilityRule.objects.filter(is_active=True, unit__is_active=True)
        .select_related("unit", "region", "road")
        .order_by("id")
    )
    for rule in rules:
        data.rules.setdefault(rule.category_code, []).append(rule)
    # The first by the models' own ordering, as ``.first()`` would pick.
    for unit in Unit.objects.filter(kind=Unit.Kind.STREET_OFFICE, is_active=True).exclude(
        region_id=None
    ):
        data.street_offices.setdefault(unit.region_id, unit)
    chiefs = Membership.objects.filter(
        role=Role.ROAD_CHIEF, is_active=True, road_section_id__isnull=False
    ).select_related("person", "unit")
    for membership in chiefs:
        data.road_chiefs.setdefault(membership.road_section_id, membership)
    return data


#: Rebuilt when a rule, unit, membership, person, region or road changes anywhere.
ROUTING = Memo(MEMO_NAME, _load)


def routing_data() -> RoutingData:
    return ROUTING.get()


def connect() -> None:
    from civicloop.geo.models import Region, Road

    bump_on_change(MEMO_NAME, [ResponsibilityRule, Unit, Membership, Person, Region, Road])


def route(category_code: str, location: Location, owner: str = "") -> RoutingDecision:
    """Decide the handling unit for a case of ``category_code`` at ``location``."""
    if not location.inside:
        return RoutingDecision(None, None, _("The point is outside the district."))
    known = routing_data()
    rules = (
        sorted(
            [*known.rules.get(category_code, ()), *known.rules.get(category_code[:3], ())],
            key=lambda rule: rule.pk,
        )
        if category_code[:3] != category_code
        else list(known.rules.get(category_code, ()))
    )
    ranked = []
    for rule in rules:
        rank = _specificity(rule, location, owner)
        if rank is not None:
            ranked.append((rank, rule))
    ranked.sort(key=lambda item: item[0], reverse=True)
    if ranked:
        best_rank, best = ranked[0]
        ambiguous = any(
            rank == best_rank and other.unit_id != best.unit_id for rank, other in ranked[1:]
        )
        reason = _("%(unit)s by %(rule)s.") % {"unit": best.unit.name, "rule": _describe(best)}
        if len(ranked) > 1:
            reason += " " + _("%(n)d less or equally specific rule(s) also matched.") % {
                "n": len(ranked) - 1
            }
        if ambiguous:
            reason += " " + _("Ambiguous: another rule is just as specific; check by hand.")
        return RoutingDecision(
            best.unit, best, reason, ambiguous=ambiguous, candidates=[r for _, r in ranked]
        )
    office = known.street_offices.get(location.street_id) if location.street_id else None
    if office is None:
        return RoutingDecision(
            None,
            None,
            _("No rule matches and no street office owns this place; dispatch by hand."),
            fallback=True,
        )
    return RoutingDecision(
        office,
        None,
        _(
            "No rule matches; the territorial street office %(unit)s is responsible (territorial fallback)."
        )
        % {"unit": office.name},
        fallback=True,
    )


def road_chief(section_id: int | None) -> Membership | None:
    """The active road-chief membership of a road section, with its person."""
    if section_id is None:
        return None
    return routing_data().road_chiefs.get(section_id)


def route_point(category_code: str, lon: float, lat: float, owner: str = "") -> RoutingDecision:
    """Locate a WGS-84 point and route a case there."""
    return route(category_code, locate(lon, lat), owner)
