"""Deadlines from an amount and a unit."""

import datetime
from decimal import Decimal

import pytest

from civicloop.worktime.services import TimeUnit, deadline_for, duration_of, working_day_length

from .helpers import at, hours

pytestmark = pytest.mark.django_db


def test_a_working_day_is_the_calendar_daily_working_time():
    assert working_day_length() == hours(8)
    assert duration_of(7, TimeUnit.WORKING_DAYS) == hours(56)


def test_working_minutes():
    assert deadline_for(at(2025, 3, 4, 11), 90, TimeUnit.WORKING_MINUTES).at == at(
        2025, 3, 4, 14, 30
    )


def test_working_hours():
    assert deadline_for(at(2025, 3, 4, 11), 4, TimeUnit.WORKING_HOURS).at == at(2025, 3, 4, 17)


def test_twenty_working_days_end_at_the_same_hour_four_weeks_later():
    # March 2025 has no holidays: Monday 3 March + 20 working days = Monday 31 March.
    result = deadline_for(at(2025, 3, 3, 10), 20, TimeUnit.WORKING_DAYS)
    assert result.at == at(2025, 3, 31, 10)
    assert not result.provisional


def test_half_a_working_day_is_four_working_hours():
    assert deadline_for(at(2025, 3, 4, 9), Decimal("0.5"), TimeUnit.WORKING_DAYS).at == at(
        2025, 3, 4, 15
    )


def test_a_unit_may_be_given_by_its_value():
    assert deadline_for(at(2025, 3, 4, 11), 2, "working_hours").at == at(2025, 3, 4, 15)


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError):
        deadline_for(at(2025, 3, 4, 11), 2, "fortnights")


def test_a_negative_amount_is_refused():
    with pytest.raises(ValueError):
        deadline_for(at(2025, 3, 4, 11), -2, TimeUnit.WORKING_HOURS)
    with pytest.raises(ValueError):
        deadline_for(at(2025, 3, 4, 11), -2, TimeUnit.HOURS)


def test_duration_of_rounds_to_the_microsecond():
    assert duration_of(Decimal("0.0000001"), TimeUnit.MINUTES) == datetime.timedelta(microseconds=6)
