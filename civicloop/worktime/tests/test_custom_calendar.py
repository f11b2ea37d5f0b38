"""A calendar with other periods (09:30–12:00 and 13:00–17:30, 7 hours a day)."""

import datetime

import pytest

from civicloop.worktime.services import (
    TimeUnit,
    add_working_time,
    deadline_for,
    working_day_length,
    working_time_between,
)

from .helpers import at, hours

pytestmark = pytest.mark.django_db


def test_its_working_day_is_seven_hours(late_calendar):
    assert working_day_length(late_calendar) == hours(7)


def test_a_limit_crosses_its_shorter_lunch(late_calendar):
    assert add_working_time(at(2025, 3, 4, 11), hours(2), late_calendar).at == at(2025, 3, 4, 14)


def test_counting_starts_at_its_own_morning(late_calendar):
    assert add_working_time(at(2025, 3, 4, 8), hours(1), late_calendar).at == at(2025, 3, 4, 10, 30)


def test_its_end_of_day_boundary(late_calendar):
    assert add_working_time(at(2025, 3, 4, 16, 30), hours(1), late_calendar).at == at(
        2025, 3, 4, 17, 30
    )


def test_working_days_use_its_day_length(late_calendar):
    # Friday 16:00 + 2 working days (14 h): 1.5 h Friday, 7 h Monday, 5.5 h Tuesday.
    result = deadline_for(at(2025, 3, 7, 16), 2, TimeUnit.WORKING_DAYS, late_calendar)
    assert result.at == at(2025, 3, 11, 16)


def test_it_may_be_given_by_primary_key(late_calendar):
    span = working_time_between(at(2025, 3, 4, 0), at(2025, 3, 5, 0), late_calendar.pk)
    assert span.duration == hours(7)


def test_the_default_calendar_is_unaffected(late_calendar):
    assert add_working_time(at(2025, 3, 4, 11), hours(2)).at == at(2025, 3, 4, 15)


def test_a_calendar_without_periods_is_refused(late_calendar):
    late_calendar.periods.all().delete()
    with pytest.raises(ValueError, match="no working periods"):
        add_working_time(at(2025, 3, 4, 11), hours(2), late_calendar)


def test_an_unsaved_calendar_is_refused():
    from civicloop.worktime.models import Calendar

    with pytest.raises(ValueError):
        add_working_time(at(2025, 3, 4, 11), datetime.timedelta(hours=1), Calendar(name="x"))
