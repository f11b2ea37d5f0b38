"""The calendar models: the default calendar, periods, overrides."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from civicloop.worktime.models import DEFAULT_CALENDAR_NAME, Calendar, DayOverride, WorkPeriod

pytestmark = pytest.mark.django_db


def test_get_default_creates_the_default_calendar_with_two_periods():
    calendar = Calendar.get_default()
    assert calendar.name == DEFAULT_CALENDAR_NAME == "默认工作日历"
    assert calendar.is_default
    assert [(p.start, p.end) for p in calendar.periods.order_by("start")] == [
        (datetime.time(8), datetime.time(12)),
        (datetime.time(14), datetime.time(18)),
    ]


def test_get_default_returns_the_existing_default():
    own = Calendar.objects.create(name="district", is_default=True)
    assert Calendar.get_default() == own
    assert Calendar.objects.count() == 1


def test_making_another_calendar_default_takes_the_flag():
    first = Calendar.get_default()
    second = Calendar.objects.create(name="night shift", is_default=True)
    first.refresh_from_db()
    assert not first.is_default
    assert Calendar.get_default() == second


def test_the_database_refuses_two_defaults():
    Calendar.objects.create(name="a", is_default=True)
    Calendar.objects.create(name="b")
    with pytest.raises(IntegrityError), transaction.atomic():
        Calendar.objects.filter(name="b").update(is_default=True)


def test_period_must_end_after_it_starts(default_calendar):
    period = WorkPeriod(calendar=default_calendar, start=datetime.time(12), end=datetime.time(9))
    with pytest.raises(ValidationError) as error:
        period.full_clean()
    assert "end" in error.value.message_dict


def test_periods_of_a_calendar_must_not_overlap(default_calendar):
    period = WorkPeriod(calendar=default_calendar, start=datetime.time(11), end=datetime.time(13))
    with pytest.raises(ValidationError):
        period.full_clean()


def test_adjacent_periods_are_allowed(default_calendar):
    WorkPeriod(
        calendar=default_calendar, start=datetime.time(12), end=datetime.time(14)
    ).full_clean()


def test_editing_a_period_does_not_collide_with_itself(default_calendar):
    period = default_calendar.periods.get(start=datetime.time(8))
    period.end = datetime.time(11, 30)
    period.full_clean()


def test_one_override_per_calendar_and_date(default_calendar):
    day = datetime.date(2025, 3, 10)
    DayOverride.objects.create(calendar=default_calendar, date=day, is_workday=False)
    with pytest.raises(ValidationError):
        DayOverride(calendar=default_calendar, date=day, is_workday=True).full_clean()


def test_one_all_calendars_override_per_date():
    day = datetime.date(2025, 3, 10)
    DayOverride.objects.create(calendar=None, date=day, is_workday=False)
    with pytest.raises(ValidationError):
        DayOverride(calendar=None, date=day, is_workday=True).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        DayOverride.objects.create(calendar=None, date=day, is_workday=True)


def test_a_calendar_override_may_sit_beside_an_all_calendars_one(default_calendar):
    day = datetime.date(2025, 3, 10)
    DayOverride.objects.create(calendar=None, date=day, is_workday=False)
    DayOverride(calendar=default_calendar, date=day, is_workday=True).full_clean()
