"""Cases fills in org's category check: a responsibility rule names a category of the catalogue."""

import pytest
from django.core.exceptions import ValidationError

from civicloop.cases.hooks import category_code_exists
from civicloop.cases.models import CategoryClass, SmallClass
from civicloop.org.categories import category_check
from civicloop.org.models import ResponsibilityRule, Unit


def test_cases_registers_the_check_when_django_starts():
    assert category_check() is category_code_exists


def test_rule_validation(empty_catalogue):
    unit = Unit.objects.create(code="X", name="X", kind=Unit.Kind.DEPARTMENT)
    cls = CategoryClass.objects.create(family="E", code="05", name="街面秩序")
    SmallClass.objects.create(category_class=cls, code="05", name="机动车乱停放")
    ResponsibilityRule(category_code="E0505", unit=unit).full_clean()
    ResponsibilityRule(category_code="E05", unit=unit).full_clean()
    for bad in ("E0599", "X0505", "E5", "E050"):
        with pytest.raises(ValidationError):
            ResponsibilityRule(category_code=bad, unit=unit).full_clean()
