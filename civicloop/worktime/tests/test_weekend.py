"""Limits running over a weekend."""

import pytest

from civicloop.worktime.services import add_working_time, working_time_between

from .helpers import at, hours

pytestmark = pytest.mark.django_db


def test_friday_afternoon_plus_two_hours_ends_monday_morning():
    # Friday 7 March 2025 17:00; Monday 10 March is an ordinary workday.
    result = add_working_time(at(2025, 3, 7, 17), hours(2))
    assert result.at == at(2025, 3, 10, 9)
    assert not result.provisional


def test_the_weekend_holds_no_working_time():
    assert working_time_between(at(2025, 3, 7, 18), at(2025, 3, 10, 8)).duration == hours(0)
    assert working_time_between(at(2025, 3, 7, 17), at(2025, 3, 10, 9)).duration == hours(2)
