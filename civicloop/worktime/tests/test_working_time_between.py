"""Working time between two instants."""

import datetime

import pytest

from civicloop.worktime.services import WorkingSpan, working_time_between

from .helpers import at, hours

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (at(2025, 3, 4, 9), at(2025, 3, 4, 10, 30), hours(1.5)),
        (at(2025, 3, 4, 11), at(2025, 3, 4, 15), hours(2)),  # across lunch
        (at(2025, 3, 4, 12, 15), at(2025, 3, 4, 13, 45), hours(0)),  # inside lunch
        (at(2025, 3, 4, 19), at(2025, 3, 5, 7), hours(0)),  # night
        (at(2025, 3, 4, 0), at(2025, 3, 5, 0), hours(8)),  # a whole day
        (at(2025, 3, 3, 8), at(2025, 3, 8, 8), hours(40)),  # Monday to Saturday
    ],
)
def test_working_time(a, b, expected):
    assert working_time_between(a, b) == WorkingSpan(expected, False)


def test_reversed_instants_give_a_negative_duration():
    assert working_time_between(at(2025, 3, 4, 15), at(2025, 3, 4, 11)).duration == hours(-2)


def test_equal_instants_give_zero():
    assert working_time_between(at(2025, 3, 4, 9), at(2025, 3, 4, 9)).duration == hours(0)


def test_instants_in_other_zones_are_read_on_the_shanghai_clock():
    a = datetime.datetime(2025, 3, 4, 3, tzinfo=datetime.UTC)  # 11:00 Shanghai
    assert working_time_between(a, at(2025, 3, 4, 15)).duration == hours(2)
