"""Every number links to exactly the rows it counts."""

import pytest

from civicloop.evaluation import periods
from civicloop.evaluation.indicators import SCOPES, drilldown, evaluate

from .conftest import AS_OF

pytestmark = pytest.mark.django_db
JUNE = periods.parse("2026-06")


def test_every_count_of_every_scope_matches_its_rows(month):
    for key, scope in SCOPES.items():
        table = evaluate(key, JUNE, as_of=AS_OF, with_previous=False)
        for row in table.rows:
            for indicator in scope.columns:
                sections = drilldown(scope, indicator, row.entity_id, JUNE, as_of=AS_OF)
                if scope.measure(indicator) and scope.measure(indicator).sum_field:
                    field = scope.measure(indicator).sum_field
                    counted = sum(getattr(obj, field) for s in sections for obj in s.queryset)
                else:
                    counted = sum(s.queryset.count() for s in sections)
                assert counted == row.values[indicator], (key, row.name, indicator)


def test_the_cases_behind_the_numbers(month, loop):
    west = loop["offices"]["west"].pk
    numbers = {c.number: k for k, c in month.items()}

    def letters(indicator, scope="unit", entity=west):
        sections = drilldown(scope, indicator, entity, JUNE, as_of=AS_OF)
        found = []
        for section in sections:
            for obj in section.queryset:
                case = obj if section.row == "case" else obj.case
                found.append(numbers[case.number])
        return sorted(found)

    assert letters("due") == ["D", "F", "I", "K"]  # D as its late return
    assert letters("late_returns") == ["D"]
    assert letters("suspensions") == ["F"]  # a sum lists the cases that add to it
    assert letters("on_time_rate") == ["F", "I", "K"]  # a rate opens its numerator
    assert letters("overdue_handled", entity=loop["cleaning"].pk) == ["B"]
    assert letters("reworks", entity=loop["cleaning"].pk) == ["C"]
    assert letters("rework_rate", entity=loop["cleaning"].pk) == ["C"]
    assert letters("extensions", entity=loop["cleaning"].pk) == ["E"]
    assert letters("overdue_pending", entity=loop["offices"]["east"].pk) == ["H"]
    assert letters("misdispatches", "dispatcher", loop["users"]["dispatcher"].pk) == ["K"]
    assert letters("missed", "inspector", loop["users"]["inspector"].pk) == ["I"]
    assert letters("wrongly_accepted", "acceptor", loop["users"]["acceptor"].pk) == ["G", "J"]
