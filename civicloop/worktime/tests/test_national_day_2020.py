"""The 2020 National Day holiday: 1–8 October off, 27 September and 10 October worked."""

import pytest

from civicloop.worktime.services import (
    TimeUnit,
    add_working_time,
    deadline_for,
    working_time_between,
)

from .helpers import at, hours

pytestmark = pytest.mark.django_db


def test_four_hours_from_the_eve_of_the_holiday_end_after_it():
    result = add_working_time(at(2020, 9, 30, 17), hours(4))
    assert result.at == at(2020, 10, 9, 11)
    assert not result.provisional


def test_saturday_26_september_is_off_and_sunday_27_is_worked():
    assert add_working_time(at(2020, 9, 26, 10), hours(1)).at == at(2020, 9, 27, 9)


def test_saturday_10_october_is_a_make_up_workday():
    assert add_working_time(at(2020, 10, 9, 17), hours(2)).at == at(2020, 10, 10, 9)


def test_two_working_days_from_the_eve_end_on_the_make_up_saturday():
    # 30 Sept 10:00–18:00 is 6 h, 9 Oct gives 8 h, the last 2 h fall on Saturday 10 Oct.
    result = deadline_for(at(2020, 9, 30, 10), 2, TimeUnit.WORKING_DAYS)
    assert result.at == at(2020, 10, 10, 10)


def test_working_time_across_the_holiday():
    span = working_time_between(at(2020, 9, 30, 8), at(2020, 10, 9, 18))
    assert span.duration == hours(16)
    assert not span.provisional


def test_working_time_across_the_make_up_sunday():
    # Friday 25 Sept 18:00 to Monday 28 Sept 08:00: all of Sunday 27 Sept is worked.
    assert working_time_between(at(2020, 9, 25, 18), at(2020, 9, 28, 8)).duration == hours(8)
