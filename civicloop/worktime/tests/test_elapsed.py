"""Elapsed time is measured in the same kind of time as the limit."""

import pytest

from civicloop.worktime.services import TimeUnit, elapsed

from .helpers import at, hours

pytestmark = pytest.mark.django_db


def test_working_units_count_working_time():
    assert elapsed(at(2025, 3, 7, 17), at(2025, 3, 10, 9), TimeUnit.WORKING_HOURS) == hours(2)
    assert elapsed(at(2025, 3, 7, 17), at(2025, 3, 10, 9), TimeUnit.WORKING_DAYS) == hours(2)


def test_continuous_units_count_all_time():
    assert elapsed(at(2025, 3, 7, 17), at(2025, 3, 10, 9), TimeUnit.HOURS) == hours(64)


def test_elapsed_before_the_start_is_negative():
    assert elapsed(at(2025, 3, 4, 15), at(2025, 3, 4, 11), "working_minutes") == hours(-2)
