"""Which days are working days: weekends, statutory holidays, make-up days."""

import datetime

import pytest

from civicloop.worktime.services import is_workday

from .helpers import at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2025, 3, 7), True),  # Friday
        (datetime.date(2025, 3, 8), False),  # Saturday
        (datetime.date(2025, 3, 9), False),  # Sunday
        (datetime.date(2025, 3, 10), True),  # Monday
    ],
)
def test_ordinary_weeks(day, expected):
    assert is_workday(day) == (expected, False)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2020, 9, 26), False),  # Saturday, ordinary weekend
        (datetime.date(2020, 9, 27), True),  # Sunday, make-up workday (调休)
        (datetime.date(2020, 9, 30), True),
        *[(datetime.date(2020, 10, d), False) for d in range(1, 9)],  # National Day + Mid-Autumn
        (datetime.date(2020, 10, 9), True),
        (datetime.date(2020, 10, 10), True),  # Saturday, make-up workday
        (datetime.date(2020, 10, 11), False),
    ],
)
def test_national_day_2020(day, expected):
    assert is_workday(day) == (expected, False)


def test_an_aware_datetime_counts_as_its_shanghai_date():
    # 2020-09-26 17:00 UTC is Sunday 27 September 01:00 in Shanghai: a make-up workday.
    instant = datetime.datetime(2020, 9, 26, 17, tzinfo=datetime.UTC)
    assert is_workday(instant) == (True, False)
    assert is_workday(at(2020, 9, 26, 23)) == (False, False)
