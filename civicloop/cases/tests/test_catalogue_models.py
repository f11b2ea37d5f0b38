"""Catalogue models: full codes, code validation, defaults and limit fallback."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from civicloop.cases.models import (
    CategoryClass,
    Family,
    FilingStandard,
    LimitUnit,
    SmallClass,
    TimeLimit,
    Urgency,
)
from civicloop.cases.models.catalogue import format_limit, parse_limit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_catalogue")]


@pytest.fixture
def standard():
    category = CategoryClass.objects.create(family=Family.EVENT, code="01", name="市容环境")
    small = SmallClass.objects.create(category_class=category, code="02", name="暴露垃圾")
    return FilingStandard.objects.create(
        small_class=small, code="E010201", condition="成堆垃圾", closure_condition="清理"
    )


def test_full_code_is_stored_and_follows_the_class(standard):
    small = standard.small_class
    assert small.full_code == "E0102"
    assert SmallClass.by_code("e0102 ") == small
    category = small.category_class
    category.code = "21"
    category.save()
    small.refresh_from_db()
    assert small.full_code == "E2102"
    with pytest.raises(SmallClass.DoesNotExist):
        SmallClass.by_code("E0102")


def test_component_full_code():
    category = CategoryClass.objects.create(family=Family.COMPONENT, code="01", name="公用设施")
    small = SmallClass.objects.create(category_class=category, code="01", name="上水井盖")
    assert small.full_code == "C0101"
    assert str(small) == "C0101 上水井盖"
    assert not category.is_local
    assert CategoryClass(family=Family.EVENT, code="21", name="扩展").is_local


@pytest.mark.parametrize("code", ["1", "00", "A1", "100", ""])
def test_bad_two_digit_codes_are_rejected(code):
    category = CategoryClass(family=Family.EVENT, code=code, name="x")
    with pytest.raises(ValidationError) as info:
        category.full_clean()
    assert "code" in info.value.message_dict


def test_standard_code_must_extend_the_full_code(standard):
    standard.code = "E010301"
    with pytest.raises(ValidationError) as info:
        standard.full_clean()
    assert "E0102" in str(info.value.message_dict["code"])
    standard.code = "E0102X1"
    with pytest.raises(ValidationError):
        standard.full_clean()


def test_limit_for_falls_back_from_urgent_to_normal(standard):
    TimeLimit.objects.create(
        standard=standard, area_class="A", amount=4, unit=LimitUnit.WORKING_HOURS
    )
    TimeLimit.objects.create(
        standard=standard, area_class="A", urgency=Urgency.URGENT, amount=1, unit=LimitUnit.HOURS
    )
    TimeLimit.objects.create(
        standard=standard, area_class="B", amount=1, unit=LimitUnit.WORKING_DAYS
    )
    assert standard.limit_for("A", Urgency.URGENT).compact == "1h"
    assert standard.limit_for("A").compact == "4wh"
    assert standard.limit_for("B", Urgency.URGENT).compact == "1wd"
    assert standard.limit_for("C") is None
    assert standard.limit_for("C", Urgency.URGENT) is None


def test_limit_for_uses_prefetched_rows(standard, django_assert_num_queries):
    TimeLimit.objects.create(standard=standard, area_class="A", amount=2, unit=LimitUnit.HOURS)
    fetched = FilingStandard.objects.prefetch_related("time_limits").get(pk=standard.pk)
    with django_assert_num_queries(0):
        assert fetched.limit_for("A", Urgency.URGENT).amount == 2


def test_one_default_per_small_class(standard):
    other = FilingStandard.objects.create(
        small_class=standard.small_class,
        code="E010202",
        condition="垃圾占道",
        closure_condition="清除",
        is_default=True,
    )
    standard.is_default = True
    standard.full_clean()  # a second default is not a form error: saving moves the mark
    standard.save()
    other.refresh_from_db()
    assert not other.is_default
    # The database refuses two defaults written behind the model's back.
    with pytest.raises(IntegrityError), transaction.atomic():
        FilingStandard.objects.filter(pk=other.pk).update(is_default=True)


def test_amount_must_be_positive(standard):
    limit = TimeLimit(standard=standard, area_class="A", amount=0, unit=LimitUnit.HOURS)
    with pytest.raises(ValidationError):
        limit.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        limit.save()


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("4wh", Decimal(4), LimitUnit.WORKING_HOURS),
        ("30wmin", Decimal(30), LimitUnit.WORKING_MINUTES),
        ("20wd", Decimal(20), LimitUnit.WORKING_DAYS),
        ("90min", Decimal(90), LimitUnit.MINUTES),
        ("6h", Decimal(6), LimitUnit.HOURS),
        ("1.5d", Decimal("1.5"), LimitUnit.DAYS),
    ],
)
def test_parse_and_format_limits(text, amount, unit):
    assert parse_limit(text) == (amount, unit)
    assert format_limit(Decimal(amount).quantize(Decimal("0.01")), unit) == text


@pytest.mark.parametrize("text", ["4xx", "4", "wh", "0wh", "-1h", "4 hours", "1e3h"])
def test_bad_limits(text):
    with pytest.raises(ValueError):
        parse_limit(text)


def test_limit_units_match_worktime():
    """LimitUnit must keep the values of civicloop.worktime.services.TimeUnit."""
    expected = {"working_minutes", "working_hours", "working_days", "minutes", "hours", "days"}
    assert set(LimitUnit.values) == expected
    try:
        from civicloop.worktime.services import TimeUnit
    except ImportError:
        pytest.skip("civicloop.worktime.services.TimeUnit does not exist yet")
    assert set(LimitUnit.values) == {str(unit.value) for unit in TimeUnit}
