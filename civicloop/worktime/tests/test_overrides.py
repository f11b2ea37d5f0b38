"""Day overrides beat chinesecalendar; a calendar's own override beats a general one."""

import datetime

import pytest

from civicloop.worktime.models import Calendar, DayOverride
from civicloop.worktime.services import add_working_time, is_workday

from .helpers import at, hours

pytestmark = pytest.mark.django_db

NATIONAL_DAY = datetime.date(2020, 10, 1)
MONDAY = datetime.date(2025, 3, 10)


def test_a_statutory_holiday_made_a_workday():
    DayOverride.objects.create(date=NATIONAL_DAY, is_workday=True, note="emergency")
    assert is_workday(NATIONAL_DAY) == (True, False)
    assert add_working_time(at(2020, 9, 30, 17), hours(4)).at == at(2020, 10, 1, 11)


def test_a_normal_workday_made_a_day_off():
    DayOverride.objects.create(date=MONDAY, is_workday=False)
    assert is_workday(MONDAY) == (False, False)
    assert add_working_time(at(2025, 3, 7, 17), hours(2)).at == at(2025, 3, 11, 9)


def test_the_calendar_override_beats_the_general_one(default_calendar):
    DayOverride.objects.create(date=MONDAY, is_workday=False)
    DayOverride.objects.create(calendar=default_calendar, date=MONDAY, is_workday=True)
    assert is_workday(MONDAY, default_calendar) == (True, False)


def test_an_override_of_another_calendar_does_not_apply(default_calendar):
    other = Calendar.objects.create(name="other")
    DayOverride.objects.create(calendar=other, date=MONDAY, is_workday=False)
    assert is_workday(MONDAY) == (True, False)
    assert is_workday(MONDAY, other) == (False, False)
    assert is_workday(MONDAY, other.pk) == (False, False)


def test_an_override_in_an_uncovered_year_is_not_provisional():
    DayOverride.objects.create(date=datetime.date(2030, 10, 1), is_workday=False)
    assert is_workday(datetime.date(2030, 10, 1)) == (False, False)
    assert is_workday(datetime.date(2030, 10, 2)) == (True, True)
