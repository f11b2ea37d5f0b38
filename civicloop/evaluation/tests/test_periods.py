"""Periods: every kind, their bounds in local time, and the previous period."""

import datetime

import pytest
from django.utils import timezone

from civicloop.evaluation import periods


@pytest.mark.parametrize(
    ("text", "kind", "first", "last", "previous"),
    [
        ("2026-06-15", "day", "2026-06-15", "2026-06-15", "2026-06-14"),
        ("2026-W24", "week", "2026-06-08", "2026-06-14", "2026-W23"),
        ("2026-06", "month", "2026-06-01", "2026-06-30", "2026-05"),
        ("2026-01", "month", "2026-01-01", "2026-01-31", "2025-12"),
        ("2026-Q1", "quarter", "2026-01-01", "2026-03-31", "2025-Q4"),
        ("2026-Q3", "quarter", "2026-07-01", "2026-09-30", "2026-Q2"),
        ("2026", "year", "2026-01-01", "2026-12-31", "2025"),
        ("2026-06-01..2026-06-10", "range", "2026-06-01", "2026-06-10", "2026-05-22..2026-05-31"),
    ],
)
def test_parse_and_previous(text, kind, first, last, previous):
    period = periods.parse(text)
    assert period.kind == kind
    assert period.first == datetime.date.fromisoformat(first)
    assert period.last == datetime.date.fromisoformat(last)
    assert period.previous().key == previous
    assert periods.parse(period.key) == period


def test_bounds_are_local_midnights():
    period = periods.parse("2026-06")
    assert timezone.localtime(period.start).isoformat() == "2026-06-01T00:00:00+08:00"
    assert timezone.localtime(period.end).isoformat() == "2026-07-01T00:00:00+08:00"


@pytest.mark.parametrize("text", ["2026-13", "2026-02-30", "2026-Q5", "2026-W60", "junk",
                                  "2026-06-10..2026-06-01", "2000-01-01..2026-01-01"])  # fmt: skip
def test_invalid_periods(text):
    with pytest.raises(periods.PeriodError):
        periods.parse(text)


def test_empty_means_this_month():
    today = timezone.localdate()
    assert periods.parse("").first == today.replace(day=1)


@pytest.mark.parametrize("text", ["9999", "9999-12-31", "9999-W52", "0001", "0001-01",
                                  "0001-01-01", "1899-12", "9999-12-01..9999-12-31"])  # fmt: skip
def test_years_out_of_range_are_invalid_not_a_crash(text):
    # Their bounds, previous period or trend would overflow the date type.
    with pytest.raises(periods.PeriodError):
        periods.parse(text)


def test_current_refuses_a_day_out_of_range():
    with pytest.raises(periods.PeriodError):
        periods.current("week", datetime.date(9999, 12, 31))
    assert periods.parse("1900-01").previous().previous().start.year == 1899
