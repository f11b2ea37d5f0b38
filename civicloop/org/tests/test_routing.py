"""Responsibility routing: precedence, fallback, ambiguity, explanation."""

import pytest
from django.core.exceptions import ValidationError

from civicloop.geo.locator import locate
from civicloop.org import categories
from civicloop.org.models import ResponsibilityRule, Unit
from civicloop.org.routing import route, route_point

PARKING = "E0505"


@pytest.fixture
def units(district):
    make = lambda code, name, kind=Unit.Kind.DEPARTMENT: Unit.objects.create(  # noqa: E731
        code=code, name=name, kind=kind
    )
    return {
        "tgb": make("TGB", "停管办"),
        "cgj": make("CGJ", "区城管局"),
        "team": make("TEAM", "测试路停车队"),
        "gas": make("GAS", "燃气公司", Unit.Kind.CONTRACTOR),
        "jt": make("JT", "区建设和交通局"),
        **district["offices"],
    }


def rule(code, unit, **kw):
    return ResponsibilityRule.objects.create(category_code=code, unit=unit, **kw)


WEST_POINT = (113.602, 34.703)  # west street, off the road
ROAD_POINT = (113.602, 34.705)  # west street, on 测试路 section 1


def test_without_rules_the_street_office_is_the_fallback(units):
    decision = route_point(PARKING, *WEST_POINT)
    assert decision.unit == units["west"] and decision.fallback and decision.rule is None
    assert "西街道办事处" in decision.reason
    assert route_point(PARKING, 113.612, 34.703).unit == units["east"]


def test_a_district_wide_rule_beats_the_fallback(units):
    r = rule(PARKING, units["tgb"])
    decision = route_point(PARKING, *WEST_POINT)
    assert decision.unit == units["tgb"] and decision.rule == r and not decision.fallback
    assert f"#{r.pk}" in decision.reason and "E0505" in decision.reason


def test_small_class_beats_class(units):
    rule("E05", units["cgj"])
    rule(PARKING, units["tgb"])
    assert route_point(PARKING, *WEST_POINT).unit == units["tgb"]
    assert route_point("E0504", *WEST_POINT).unit == units["cgj"]


def test_small_class_anywhere_beats_class_in_the_street(units, district):
    rule("E05", units["cgj"], region=district["west"])
    rule(PARKING, units["tgb"])
    assert route_point(PARKING, *WEST_POINT).unit == units["tgb"]


def test_finer_place_wins_within_the_same_category(units, district):
    rule(PARKING, units["tgb"])
    rule(PARKING, units["cgj"], region=district["district"])
    assert route_point(PARKING, *WEST_POINT).unit == units["cgj"]
    rule(PARKING, units["east"], region=district["west"])
    assert route_point(PARKING, *WEST_POINT).unit == units["east"]
    rule(PARKING, units["jt"], region=district["west_c"])
    assert route_point(PARKING, *WEST_POINT).unit == units["jt"]
    rule(PARKING, units["team"], road=district["road"])
    assert route_point(PARKING, *ROAD_POINT).unit == units["team"]
    # off the road the community rule still applies
    assert route_point(PARKING, *WEST_POINT).unit == units["jt"]


def test_a_rule_for_another_place_does_not_apply(units, district):
    rule(PARKING, units["tgb"], region=district["east"])
    assert route_point(PARKING, *WEST_POINT).fallback


def test_owner_rule_beats_everything_else_for_that_owner(units, district):
    rule("C0111", units["jt"], region=district["west_c"])
    rule("C0111", units["gas"], owner="燃气公司")
    assert route_point("C0111", *WEST_POINT, owner="燃气公司").unit == units["gas"]
    assert route_point("C0111", *WEST_POINT, owner="").unit == units["jt"]
    assert route_point("C0111", *WEST_POINT, owner="水务公司").unit == units["jt"]


def test_priority_breaks_ties_and_a_tie_is_flagged(units):
    rule(PARKING, units["tgb"])
    rule(PARKING, units["cgj"])
    tied = route_point(PARKING, *WEST_POINT)
    assert tied.ambiguous and "Ambiguous" in tied.reason
    rule(PARKING, units["team"], priority=5)
    decided = route_point(PARKING, *WEST_POINT)
    assert decided.unit == units["team"] and not decided.ambiguous
    assert len(decided.candidates) == 3


def test_inactive_rules_and_units_are_ignored(units):
    rule(PARKING, units["tgb"], is_active=False)
    units["cgj"].is_active = False
    units["cgj"].save()
    rule(PARKING, units["cgj"])
    assert route_point(PARKING, *WEST_POINT).fallback


def test_no_street_office_means_no_unit_with_a_reason(units):
    units["west"].delete()
    decision = route_point(PARKING, *WEST_POINT)
    assert decision.unit is None and decision.fallback and decision.reason


def test_outside_the_district_routes_nowhere(units):
    decision = route(PARKING, locate(100.0, 30.0))
    assert decision.unit is None and "outside" in decision.reason


@pytest.mark.django_db
def test_rule_validation_asks_the_registered_category_check(monkeypatch):
    """Org checks a rule's category through the hook cases fills in (org sits below cases)."""
    known = {"E0505"}
    monkeypatch.setattr(categories, "_check", lambda code: any(k.startswith(code) for k in known))
    unit = Unit.objects.create(code="X", name="X", kind=Unit.Kind.DEPARTMENT)
    ResponsibilityRule(category_code="E0505", unit=unit).full_clean()
    ResponsibilityRule(category_code="E05", unit=unit).full_clean()
    for bad in ("E0599", "X0505", "E5", "E050"):
        with pytest.raises(ValidationError):
            ResponsibilityRule(category_code=bad, unit=unit).full_clean()


@pytest.mark.django_db
def test_without_a_catalogue_every_well_formed_code_is_accepted(monkeypatch):
    monkeypatch.setattr(categories, "_check", None)
    unit = Unit.objects.create(code="X", name="X", kind=Unit.Kind.DEPARTMENT)
    ResponsibilityRule(category_code="E0599", unit=unit).full_clean()
    with pytest.raises(ValidationError):  # the format is still org's own validation
        ResponsibilityRule(category_code="E5", unit=unit).full_clean()


def test_a_tie_anywhere_among_the_best_rules_is_flagged(units):
    rule(PARKING, units["tgb"])
    rule(PARKING, units["tgb"])
    rule(PARKING, units["cgj"])
    assert route_point(PARKING, *WEST_POINT).ambiguous
