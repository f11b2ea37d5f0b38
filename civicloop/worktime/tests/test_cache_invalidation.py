"""The in-process cache follows edits of overrides, periods and the default calendar."""

import datetime

import pytest

from civicloop.worktime.models import Calendar, DayOverride, WorkPeriod
from civicloop.worktime.services import add_working_time, clear_cache, is_workday

from .helpers import at, hours

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2025, 3, 10)


def test_editing_an_override_is_seen_at_once():
    override = DayOverride.objects.create(date=MONDAY, is_workday=False)
    assert add_working_time(at(2025, 3, 7, 17), hours(2)).at == at(2025, 3, 11, 9)
    override.is_workday = True
    override.save()
    assert add_working_time(at(2025, 3, 7, 17), hours(2)).at == at(2025, 3, 10, 9)
    override.delete()
    assert is_workday(datetime.date(2025, 3, 10)) == (True, False)


def test_adding_an_override_is_seen_at_once():
    assert is_workday(MONDAY) == (True, False)  # warms the cache
    DayOverride.objects.create(date=MONDAY, is_workday=False)
    assert is_workday(MONDAY) == (False, False)


def test_editing_a_period_is_seen_at_once(default_calendar):
    assert add_working_time(at(2025, 3, 4, 11), hours(2)).at == at(2025, 3, 4, 15)
    period = default_calendar.periods.get(start=datetime.time(14))
    period.start = datetime.time(13)
    period.save()
    assert add_working_time(at(2025, 3, 4, 11), hours(2)).at == at(2025, 3, 4, 14)


def test_a_new_default_calendar_is_used_at_once(default_calendar):
    assert add_working_time(at(2025, 3, 4, 11), hours(2)).at == at(2025, 3, 4, 15)
    early = Calendar.objects.create(name="early", is_default=True)
    WorkPeriod.objects.create(calendar=early, start=datetime.time(6), end=datetime.time(12))
    assert add_working_time(at(2025, 3, 4, 11), hours(2)).at == at(2025, 3, 5, 7)


def test_bulk_changes_are_seen_after_clear_cache():
    assert is_workday(MONDAY) == (True, False)
    DayOverride.objects.bulk_create([DayOverride(date=MONDAY, is_workday=False)])  # no signal
    assert is_workday(MONDAY) == (True, False)  # still cached
    clear_cache()
    assert is_workday(MONDAY) == (False, False)


def test_cached_data_expires_for_changes_made_by_other_processes(settings):
    settings.WORKTIME_CACHE_SECONDS = 0
    assert is_workday(MONDAY) == (True, False)
    DayOverride.objects.bulk_create([DayOverride(date=MONDAY, is_workday=False)])  # no signal
    assert is_workday(MONDAY) == (False, False)  # reloaded: the entry expired at once
