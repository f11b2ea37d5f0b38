"""Years chinesecalendar does not cover: Monday–Friday, flagged provisional, no exception."""

import datetime

import pytest

from civicloop.worktime.services import (
    add_working_time,
    is_workday,
    working_time_between,
)

from .helpers import at, hours

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2030, 10, 1), (True, True)),  # Tuesday; National Day is unknown
        (datetime.date(2030, 10, 5), (False, True)),  # Saturday
        (datetime.date(2003, 10, 1), (True, True)),  # before the package's data
        (datetime.date(2027, 1, 1), (True, True)),  # New Year's Day, a Friday
    ],
)
def test_uncovered_days_fall_back_to_monday_to_friday(day, expected):
    assert is_workday(day) == expected


def test_friday_plus_two_hours_in_2030_is_monday_and_provisional():
    result = add_working_time(at(2030, 3, 8, 17), hours(2))
    assert result.at == at(2030, 3, 11, 9)
    assert result.provisional


def test_working_time_in_2003_is_provisional():
    span = working_time_between(at(2003, 5, 1, 8), at(2003, 5, 5, 18))
    assert span.duration == hours(24)  # Thu, Fri, Mon: no May Day holiday known
    assert span.provisional


def test_a_deadline_running_into_an_uncovered_year_becomes_provisional():
    # Thursday 31 Dec 2026 is covered; Friday 1 Jan 2027 is not.
    result = add_working_time(at(2026, 12, 31, 17), hours(2))
    assert result.at == at(2027, 1, 1, 9)
    assert result.provisional


def test_a_deadline_inside_a_covered_year_is_not_provisional():
    assert not add_working_time(at(2026, 12, 31, 9), hours(2)).provisional
