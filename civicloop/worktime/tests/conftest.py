"""Fixtures of the work-calendar tests."""

import datetime

import pytest

from civicloop.worktime.models import Calendar, WorkPeriod
from civicloop.worktime.services import clear_cache


@pytest.fixture(autouse=True)
def fresh_cache():
    """Test transactions roll back without signals, so clear the cache around each test."""
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def default_calendar(db) -> Calendar:
    return Calendar.get_default()


@pytest.fixture
def late_calendar(db) -> Calendar:
    """A calendar of 09:30–12:00 and 13:00–17:30 (7 hours a day)."""
    calendar = Calendar.objects.create(name="late")
    WorkPeriod.objects.create(
        calendar=calendar, start=datetime.time(13, 0), end=datetime.time(17, 30)
    )
    WorkPeriod.objects.create(
        calendar=calendar, start=datetime.time(9, 30), end=datetime.time(12, 0)
    )
    return calendar
