"""Counting starts at the next working moment: night, lunch, weekends, holidays."""

import datetime

import pytest

from civicloop.worktime.services import add_working_time

from .helpers import at, hours

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (at(2025, 3, 4, 20), at(2025, 3, 5, 9)),  # evening
        (at(2025, 3, 4, 23, 59), at(2025, 3, 5, 9)),
        (at(2025, 3, 5, 0), at(2025, 3, 5, 9)),  # midnight
        (at(2025, 3, 5, 6), at(2025, 3, 5, 9)),  # early morning
        (at(2025, 3, 4, 12), at(2025, 3, 4, 15)),  # exactly at noon
        (at(2025, 3, 4, 12, 30), at(2025, 3, 4, 15)),  # during lunch
        (at(2025, 3, 4, 18), at(2025, 3, 5, 9)),  # exactly at the end of the day
        (at(2025, 3, 8, 10), at(2025, 3, 10, 9)),  # Saturday
        (at(2020, 10, 3, 10), at(2020, 10, 9, 9)),  # National Day holiday
    ],
)
def test_one_working_hour_from_outside_working_time(start, expected):
    assert add_working_time(start, hours(1)).at == expected


def test_a_zero_amount_returns_the_start_itself():
    start = at(2025, 3, 8, 22)
    assert add_working_time(start, datetime.timedelta(0)).at == start
