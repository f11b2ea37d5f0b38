"""Handling-unit indicators for June 2026, checked one by one against counts made by hand."""

import pytest

from civicloop.evaluation import periods
from civicloop.evaluation.indicators import evaluate

from .conftest import AS_OF

pytestmark = pytest.mark.django_db
JUNE = periods.parse("2026-06")


def test_cleaning_company(month, loop):
    # A (on time), B (late), C (reworked, on time), E (extended, on time); K was
    # returned before its deadline, so it is a return but not due.
    row = evaluate("unit", JUNE, as_of=AS_OF).row(loop["cleaning"].pk)
    assert row.values == {
        "dispatched": 4, "late_returns": 0, "due": 4, "handled": 4, "on_time": 3,
        "overdue_handled": 1, "pending": 0, "overdue_pending": 0, "due_for_closure": 4,
        "closed": 4, "reworks": 1, "extensions": 1, "suspensions": 0, "returns": 1,
    }  # fmt: skip
    assert row.rates == {"on_time_rate": 0.75, "closure_rate": 1.0, "rework_rate": 0.25}
    # 4 due → band 100; 100 × 10% + 100 × 30% + 75 × 30% + (1 − 0.25) × 100 × 30%
    assert row.components == {"filed_count": 100, "closure_rate": 100, "on_time_rate": 75,
                              "rework_rate": 75}  # fmt: skip
    assert row.score == 85.0 and row.grade == "B"


def test_west_office_late_return_counts_against_it(month, loop):
    # K (after the wrong dispatch), F (suspended, on time), I; D returned late
    # (due, not on time); G voided (not counted at all).
    row = evaluate("unit", JUNE, as_of=AS_OF).row(loop["offices"]["west"].pk)
    assert row.values["dispatched"] == 3
    assert row.values["late_returns"] == 1 and row.values["returns"] == 1
    assert row.values["due"] == 4
    assert row.values["handled"] == 3 and row.values["on_time"] == 3
    assert row.values["suspensions"] == 1 and row.values["overdue_handled"] == 0
    assert row.values["closed"] == 3 and row.values["due_for_closure"] == 3
    assert row.rates["on_time_rate"] == 0.75
    assert row.score == 10 + 30 + 22.5 + 30 and row.grade == "A"


def test_east_office_overdue_pending(month, loop):
    # D (after the late return elsewhere, on time) and H (never handled, overdue now).
    row = evaluate("unit", JUNE, as_of=AS_OF).row(loop["offices"]["east"].pk)
    assert row.values["due"] == 2 and row.values["handled"] == 1
    assert row.values["pending"] == 1 and row.values["overdue_pending"] == 1
    assert row.values["due_for_closure"] == 2 and row.values["closed"] == 1
    assert row.rates == {"on_time_rate": 0.5, "closure_rate": 0.5, "rework_rate": 0.0}
    assert row.score == 70.0 and row.grade == "C"


def test_not_yet_overdue_is_not_due_for_closure(month, loop):
    # Seen just after H was dispatched, H is pending but not overdue.
    as_of = month["H"].dispatched_at
    row = evaluate("unit", JUNE, as_of=as_of).row(loop["offices"]["east"].pk)
    assert row.values["pending"] == 1 and row.values["overdue_pending"] == 0
    assert row.values["due_for_closure"] == 1


def test_units_without_cases_are_listed_unranked(month, loop):
    table = evaluate("unit", JUNE, as_of=AS_OF)
    centre = table.row(loop["centre"].pk)
    assert centre.values["due"] == 0 and centre.score is None and centre.rank is None
    assert centre.grade == ""


def test_one_query_per_source(month, django_assert_max_num_queries):
    # unit scope: cases + returns + the unit list + config, for this and the previous period
    with django_assert_max_num_queries(8):
        evaluate("unit", JUNE, as_of=AS_OF)
