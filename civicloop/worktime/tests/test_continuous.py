"""Urgent limits run continuously (24/7)."""

import datetime
from decimal import Decimal

import pytest

from civicloop.worktime.services import Deadline, TimeUnit, deadline_for

from .helpers import at

pytestmark = pytest.mark.django_db


def test_six_hours_from_saturday_night_end_sunday_morning():
    result = deadline_for(at(2025, 3, 8, 22), 6, TimeUnit.HOURS)
    assert result == Deadline(at(2025, 3, 9, 4), provisional=False)


def test_continuous_minutes_ignore_the_lunch_break():
    assert deadline_for(at(2025, 3, 4, 11, 50), 30, TimeUnit.MINUTES).at == at(2025, 3, 4, 12, 20)


def test_continuous_days_run_through_holidays():
    assert deadline_for(at(2020, 9, 30, 17), 2, TimeUnit.DAYS).at == at(2020, 10, 2, 17)


def test_fractions_of_continuous_hours():
    start = at(2025, 3, 8, 22)
    assert deadline_for(start, Decimal("1.5"), "hours").at == start + datetime.timedelta(minutes=90)


def test_continuous_limits_in_an_uncovered_year_are_not_provisional():
    assert deadline_for(at(2030, 10, 1, 22), 6, TimeUnit.HOURS).provisional is False


def test_continuous_time_needs_an_aware_start():
    with pytest.raises(ValueError):
        deadline_for(datetime.datetime(2025, 3, 8, 22), 6, TimeUnit.HOURS)
