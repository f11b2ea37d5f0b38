"""Working time within a day: the lunch break and the ends of periods."""

import datetime

import pytest

from civicloop.worktime.services import Deadline, add_working_time

from .helpers import SHANGHAI, at, hours

pytestmark = pytest.mark.django_db


def test_a_limit_crosses_the_lunch_break():
    assert add_working_time(at(2025, 3, 4, 11), hours(2)) == Deadline(at(2025, 3, 4, 15), False)


def test_a_deadline_exactly_at_noon_stays_at_noon():
    assert add_working_time(at(2025, 3, 4, 10), hours(2)).at == at(2025, 3, 4, 12)


def test_a_deadline_exactly_at_the_end_of_the_day_stays_that_day():
    assert add_working_time(at(2025, 3, 4, 16), hours(2)).at == at(2025, 3, 4, 18)


def test_a_whole_day_from_the_morning():
    assert add_working_time(at(2025, 3, 4, 8), hours(8)).at == at(2025, 3, 4, 18)


def test_one_minute_past_the_end_of_a_period_moves_on():
    result = add_working_time(at(2025, 3, 4, 10), hours(2) + datetime.timedelta(minutes=1))
    assert result.at == at(2025, 3, 4, 14, 1)


def test_the_result_is_aware_in_shanghai_whatever_zone_the_start_had():
    start = datetime.datetime(2025, 3, 4, 3, tzinfo=datetime.UTC)  # 11:00 in Shanghai
    result = add_working_time(start, hours(2))
    assert result.at == at(2025, 3, 4, 15)
    assert result.at.utcoffset() == datetime.timedelta(hours=8)
    assert result.at.tzinfo == SHANGHAI or str(result.at.tzinfo) == "Asia/Shanghai"


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError, match="aware"):
        add_working_time(datetime.datetime(2025, 3, 4, 11), hours(2))


def test_a_negative_amount_is_refused():
    with pytest.raises(ValueError):
        add_working_time(at(2025, 3, 4, 11), hours(-1))
