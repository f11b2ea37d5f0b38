"""Traffic lights: green up to 80 % of the limit, yellow up to 100 %, red past it."""

import datetime

import pytest
from django.utils import translation

from civicloop.worktime.services import Light, light_at, light_for, yellow_after

from .helpers import at, hours

TICK = datetime.timedelta(microseconds=1)
LIMIT = hours(5)


@pytest.mark.parametrize(
    ("used", "expected"),
    [
        (hours(0), Light.GREEN),
        (hours(4), Light.GREEN),  # exactly 80 %
        (hours(4) + TICK, Light.YELLOW),
        (hours(5), Light.YELLOW),  # exactly 100 %
        (hours(5) + TICK, Light.RED),
        (hours(-1), Light.GREEN),
    ],
)
def test_thresholds(used, expected):
    assert light_for(used, LIMIT) == expected


def test_thresholds_of_an_odd_limit_are_exact():
    limit = datetime.timedelta(minutes=7)  # 80 % = 5 min 36 s
    assert light_for(datetime.timedelta(minutes=5, seconds=36), limit) == Light.GREEN
    assert light_for(datetime.timedelta(minutes=5, seconds=36) + TICK, limit) == Light.YELLOW


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(2025, 3, 4, 8), Light.GREEN),
        (at(2025, 3, 4, 12), Light.GREEN),  # exactly 80 % used (4 of 5 h)
        (at(2025, 3, 4, 13, 30), Light.GREEN),  # lunch: still exactly 80 %
        (at(2025, 3, 4, 14, 1), Light.YELLOW),
        (at(2025, 3, 4, 15), Light.YELLOW),  # exactly 100 %
        (at(2025, 3, 4, 15, 1), Light.RED),
    ],
)
def test_light_in_working_time(now, expected):
    # 08:00 + 5 working hours = 15:00.
    assert light_at(at(2025, 3, 4, 8), at(2025, 3, 4, 15), now) == expected


@pytest.mark.django_db
def test_past_a_noon_deadline_the_light_is_red_during_lunch():
    start, deadline = at(2025, 3, 4, 9), at(2025, 3, 4, 12)
    assert light_at(start, deadline, deadline) == Light.YELLOW
    assert light_at(start, deadline, at(2025, 3, 4, 12, 30)) == Light.RED


@pytest.mark.django_db
def test_light_over_a_weekend_counts_working_time_only():
    # Friday 16:00 to Monday 12:00 is 6 working hours; 80 % = 4.8 h -> Monday 10:48.
    start, deadline = at(2025, 3, 7, 16), at(2025, 3, 10, 12)
    assert light_at(start, deadline, at(2025, 3, 9, 23)) == Light.GREEN
    assert light_at(start, deadline, at(2025, 3, 10, 10, 48)) == Light.GREEN
    assert light_at(start, deadline, at(2025, 3, 10, 10, 49)) == Light.YELLOW


def test_continuous_light():
    start, deadline = at(2025, 3, 8, 22), at(2025, 3, 9, 4)  # 6 hours
    assert light_at(start, deadline, at(2025, 3, 9, 2, 48), continuous=True) == Light.GREEN
    assert light_at(start, deadline, at(2025, 3, 9, 2, 49), continuous=True) == Light.YELLOW
    assert light_at(start, deadline, at(2025, 3, 9, 4, 1), continuous=True) == Light.RED


@pytest.mark.django_db
def test_yellow_after_is_the_last_green_instant():
    start, deadline = at(2025, 3, 4, 8), at(2025, 3, 4, 15)
    # 80 % is reached at 12:00 and stays until work resumes at 14:00.
    assert yellow_after(start, deadline) == at(2025, 3, 4, 14)
    assert yellow_after(at(2025, 3, 7, 16), at(2025, 3, 10, 12)) == at(2025, 3, 10, 10, 48)
    assert yellow_after(at(2025, 3, 8, 22), at(2025, 3, 9, 4), continuous=True) == at(
        2025, 3, 9, 2, 48
    )


@pytest.mark.django_db
def test_yellow_after_agrees_with_light_at():
    start, deadline = at(2025, 3, 4, 8), at(2025, 3, 4, 15)
    turn = yellow_after(start, deadline)
    assert light_at(start, deadline, turn) == Light.GREEN
    assert light_at(start, deadline, turn + TICK) == Light.YELLOW


def test_lights_have_chinese_labels():
    with translation.override("zh-hans"):
        labels = [str(label) for label in Light.labels]
    if labels == ["green light", "yellow light", "red light"]:
        pytest.skip("the worktime catalogue is not compiled (.mo files are not committed)")
    assert labels == ["绿灯", "黄灯", "红灯"]
