"""Timeline: the same answers as add_working_time and working_time_between, by bisection."""

import datetime
import random

import pytest

from civicloop.worktime import services
from civicloop.worktime.models import DayOverride, WorkPeriod
from civicloop.worktime.services import (
    Timeline,
    add_working_time,
    deadline_for,
    elapsed,
    working_time_between,
    yellow_after,
)

from .helpers import at

pytestmark = pytest.mark.django_db


def _instants(rng, first, days, n):
    start = at(first.year, first.month, first.day)
    for _i in range(n):
        # whole minutes, and now and then exactly a period's edge
        minute = rng.randrange(days * 24 * 60)
        if rng.random() < 0.2:
            minute = minute // (24 * 60) * 24 * 60 + rng.choice((8, 12, 14, 18)) * 60
        yield start + datetime.timedelta(minutes=minute, seconds=rng.choice((0, 0, 17)))


@pytest.mark.parametrize("calendar", ["default_calendar", "late_calendar"])
def test_answers_equal_the_walk_over_days(calendar, request):
    calendar = request.getfixturevalue(calendar)
    DayOverride.objects.create(calendar=None, date=datetime.date(2026, 12, 26), is_workday=True)
    first, last = datetime.date(2026, 9, 1), datetime.date(2027, 2, 28)  # 2027: uncovered
    timeline = Timeline(first, last, calendar)
    rng = random.Random(5)
    amounts = [datetime.timedelta(minutes=m) for m in (1, 10, 59, 60, 240, 480, 2400, 9000)]
    for start in _instants(rng, datetime.date(2026, 8, 30), 190, 600):
        amount = rng.choice(amounts) * rng.uniform(0.1, 3)
        assert timeline.add(start, amount) == add_working_time(start, amount, calendar), (
            start,
            amount,
        )
        other = start + datetime.timedelta(hours=rng.uniform(-400, 400))
        assert timeline.between(start, other) == working_time_between(start, other, calendar)
    start = at(2026, 10, 9, 10)
    assert timeline.deadline(start, 3, "working_days") == deadline_for(
        start, 3, "working_days", calendar
    )
    assert timeline.deadline(start, 6, "hours") == deadline_for(start, 6, "hours", calendar)
    assert timeline.add(start, datetime.timedelta(0)).at == start
    assert timeline.at(start, amounts[3]) == timeline.add(start, amounts[3]).at
    late = at(2027, 2, 26, 17)  # past the range: the walk answers
    assert timeline.at(late, amounts[-1]) == add_working_time(late, amounts[-1], calendar).at


def test_outside_the_range_it_asks_the_functions(default_calendar):
    timeline = Timeline(datetime.date(2026, 3, 2), datetime.date(2026, 3, 6))
    start = at(2026, 3, 5, 10)
    week = datetime.timedelta(hours=40)
    assert timeline.add(start, week) == add_working_time(start, week)
    assert timeline.between(at(2026, 2, 1), start) == working_time_between(at(2026, 2, 1), start)
    with pytest.raises(ValueError):
        timeline.add(start, -week)


def test_installed_the_functions_answer_from_it(default_calendar, late_calendar):
    first, last = datetime.date(2026, 9, 1), datetime.date(2026, 12, 31)
    rng = random.Random(8)
    instants = list(_instants(rng, first, 140, 300))  # some past the range (the walk answers)
    amounts = [datetime.timedelta(minutes=rng.choice((1, 30, 240, 480, 3000))) for _i in instants]
    others = [s + datetime.timedelta(hours=rng.uniform(-300, 300)) for s in instants]

    def answers(calendar=None):
        return [
            (add_working_time(s, a, calendar), working_time_between(s, o, calendar),
             deadline_for(s, 2, "working_days", calendar),
             elapsed(s, o, "working_minutes", calendar), yellow_after(s, s + a, calendar))
            for s, a, o in zip(instants, amounts, others, strict=True)
        ]  # fmt: skip

    walked, walked_late = answers(), answers(late_calendar)
    timeline = Timeline(first, last)
    calls = []
    add = timeline.add
    timeline.add = lambda *args: calls.append(args) or add(*args)
    with timeline.installed():
        assert answers() == walked
        assert calls
        calls.clear()
        assert answers(late_calendar) == walked_late  # another calendar: the walk
        assert not calls
    assert services._installed.get() is None
    with timeline.installed():
        answers()
        assert calls
        # a calendar change (a cache clear) makes the timeline stale: the walk answers
        WorkPeriod.objects.filter(calendar=default_calendar).update(start=datetime.time(9, 0))
        services.clear_cache()
        calls.clear()
        start = at(2026, 10, 12, 8, 30)
        assert add_working_time(start, datetime.timedelta(minutes=30)).at == at(2026, 10, 12, 9, 30)
        assert not calls
