"""Deadline arithmetic on work calendars: working time, time limits, lights.

Two kinds of time:

* **working time** (``working_minutes``, ``working_hours``, ``working_days``)
  runs only inside the periods of a calendar (default 08:00–12:00 and
  14:00–18:00) on working days;
* **continuous time** (``minutes``, ``hours``, ``days``) runs 24/7: urgent
  limits (a missing manhole cover: 6 hours) run continuously.

A *working day* is the calendar's total daily working time, 8 hours with the
default periods: "7 working days" means 56 working hours, so a limit started
at 10:00 ends at 10:00 seven working days later.

Which days are working days, in this order: a :class:`~.models.DayOverride`
of the calendar, then an override for all calendars, then chinesecalendar
(weekends, statutory holidays and make-up workdays 调休). For a year
chinesecalendar does not cover, Monday–Friday are working days and the answer
is flagged *provisional*; nothing here raises for an uncovered year.

All wall-clock reasoning happens in the project's default time zone
(``settings.TIME_ZONE``, Asia/Shanghai), whatever time zone a request may
have activated: a deadline must not depend on who looks at it. Functions take
and return aware datetimes.

Calendars' periods and overrides are cached in process (see
:func:`clear_cache`): after warm-up, computing a deadline runs no query.
Signals clear the cache when a calendar, period or override is saved or
deleted in this process; other processes (the worker) reload after
``settings.WORKTIME_CACHE_SECONDS`` (default 60 seconds).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import logging
import threading
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import chinese_calendar
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Calendar, DayOverride, WorkPeriod

logger = logging.getLogger(__name__)

ONE_DAY = datetime.timedelta(days=1)
MICROS_PER_MINUTE = 60 * 1_000_000
MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE
MICROS_PER_DAY = 24 * MICROS_PER_HOUR

CalendarRef = Calendar | int | None
"""A calendar, its primary key, or ``None`` for the default calendar."""


class TimeUnit(models.TextChoices):
    """Unit of a time limit. ``working_*`` count working time only."""

    WORKING_MINUTES = "working_minutes", _("working minutes")
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")
    MINUTES = "minutes", _("minutes (continuous)")
    HOURS = "hours", _("hours (continuous)")
    DAYS = "days", _("days (continuous)")

    @property
    def continuous(self) -> bool:
        """True for units that run 24/7, False for working-time units."""
        return not self.value.startswith("working_")


class Light(models.TextChoices):
    """Traffic light of a running limit."""

    GREEN = "green", _("green light")
    YELLOW = "yellow", _("yellow light")
    RED = "red", _("red light")


@dataclass(frozen=True, slots=True)
class Deadline:
    """An instant (aware, default time zone) and whether it rests on guessed days."""

    at: datetime.datetime
    provisional: bool = False


@dataclass(frozen=True, slots=True)
class WorkingSpan:
    """Working time between two instants; negative when they come in reverse order."""

    duration: datetime.timedelta
    provisional: bool = False


# --- calendar data cache -------------------------------------------------


@dataclass(frozen=True, slots=True)
class _CalendarData:
    calendar_id: int
    # (start, end) in microseconds after midnight, sorted.
    periods: tuple[tuple[int, int], ...]
    daily_micros: int
    # date -> is_workday, the calendar's own overrides on top of global ones.
    overrides: dict[datetime.date, bool]
    expires_at: float


_cache: dict[int | None, _CalendarData] = {}
_cache_lock = threading.Lock()
_generation = 0
_warned_years: set[int] = set()


def clear_cache() -> None:
    """Forget every cached calendar; the next computation reloads from the database.

    Called by signals on save/delete of calendars, periods and overrides. Call
    it yourself after bulk updates, which send no signals.
    """
    global _generation
    with _cache_lock:
        _generation += 1
        _cache.clear()


def _cache_seconds() -> float:
    return float(settings.WORKTIME_CACHE_SECONDS)


def _time_micros(value: datetime.time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _load(calendar_id: int) -> tuple[tuple[tuple[int, int], ...], dict[datetime.date, bool]]:
    periods = tuple(
        sorted(
            (_time_micros(start), _time_micros(end))
            for start, end in WorkPeriod.objects.filter(calendar_id=calendar_id).values_list(
                "start", "end"
            )
        )
    )
    overrides: dict[datetime.date, bool] = {}
    rows = DayOverride.objects.filter(calendar_id=None).values_list("date", "is_workday")
    overrides.update(rows)
    rows = DayOverride.objects.filter(calendar_id=calendar_id).values_list("date", "is_workday")
    overrides.update(rows)  # the calendar's own overrides win
    return periods, overrides


def _calendar_data(calendar: CalendarRef) -> _CalendarData:
    if isinstance(calendar, Calendar):
        if calendar.pk is None:
            raise ValueError("The calendar must be saved before it is used.")
        key: int | None = calendar.pk
    else:
        key = calendar
    data = _cache.get(key)
    if data is not None and time.monotonic() < data.expires_at:
        return data
    # Resolve (and maybe create) the default first: creating it clears the cache.
    calendar_id = Calendar.get_default().pk if key is None else key
    generation = _generation
    periods, overrides = _load(calendar_id)
    data = _CalendarData(
        calendar_id=calendar_id,
        periods=periods,
        daily_micros=sum(end - start for start, end in periods),
        overrides=overrides,
        expires_at=time.monotonic() + _cache_seconds(),
    )
    with _cache_lock:
        # Do not store what was read while an invalidation happened.
        if generation == _generation:
            _cache[key] = data
    return data


# --- days ------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _statutory_workday(day: datetime.date) -> tuple[bool, bool]:
    """(is_workday, provisional) from chinesecalendar, or Monday–Friday if uncovered."""
    try:
        return bool(chinese_calendar.is_workday(day)), False
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning(
                "chinesecalendar has no data for %s; counting Monday-Friday as working "
                "days and flagging deadlines as provisional. Upgrade chinesecalendar "
                "or add day overrides.",
                day.year,
            )
        return day.weekday() < 5, True


def _day_status(day: datetime.date, overrides: dict[datetime.date, bool]) -> tuple[bool, bool]:
    work = overrides.get(day)
    if work is not None:
        return work, False
    return _statutory_workday(day)


def is_workday(day: datetime.date, calendar: CalendarRef = None) -> tuple[bool, bool]:
    """Return ``(is_workday, provisional)`` for a date.

    An override of the calendar wins, then an override for all calendars, then
    chinesecalendar. For a year chinesecalendar does not know, Monday–Friday
    count as working days and ``provisional`` is True. An aware datetime is
    taken as its date in the default time zone.
    """
    if isinstance(day, datetime.datetime):
        day = _local(day, "day").date()
    return _day_status(day, _calendar_data(calendar).overrides)


# --- instants --------------------------------------------------------------


def _zone() -> datetime.tzinfo:
    return timezone.get_default_timezone()


def _local(value: datetime.datetime, name: str) -> datetime.datetime:
    if timezone.is_naive(value):
        raise ValueError(f"{name} must be an aware datetime, got {value!r}")
    return value.astimezone(_zone())


def _offset(local: datetime.datetime) -> int:
    return _time_micros(local.time())


def _instant(day: datetime.date, micros: int) -> datetime.datetime:
    midnight = datetime.datetime(day.year, day.month, day.day, tzinfo=_zone())
    return midnight + datetime.timedelta(microseconds=micros)


def _micros(value: datetime.timedelta) -> int:
    return (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds


def add_working_time(
    start: datetime.datetime, amount: datetime.timedelta, calendar: CalendarRef = None
) -> Deadline:
    """Return the instant when ``amount`` of working time has passed since ``start``.

    ``start`` may lie outside working time (night, weekend, lunch, holiday):
    counting begins at the next working moment. The result is the *earliest*
    instant at which the amount is used up, so a limit that runs out exactly
    at the end of a period (12:00) ends there, not at the start of the next
    one (14:00). A zero amount returns ``start``. ``provisional`` is True when
    a day walked over lies in a year chinesecalendar does not cover.

    Raises ValueError for a naive ``start``, a negative amount, or a calendar
    without working periods. Inside :meth:`Timeline.installed` the timeline
    answers for its calendar (the same instant).
    """
    timeline = _installed.get()
    if timeline is not None and timeline.serves(calendar):
        return timeline.add(start, amount)
    return _walk_add(start, amount, calendar)


def _walk_add(
    start: datetime.datetime, amount: datetime.timedelta, calendar: CalendarRef
) -> Deadline:
    """:func:`add_working_time` by walking over the days."""
    local = _local(start, "start")
    remaining = _micros(amount)
    if remaining < 0:
        raise ValueError("The amount of working time cannot be negative.")
    if remaining == 0:
        return Deadline(at=local, provisional=False)
    data = _calendar_data(calendar)
    if not data.periods:
        raise ValueError(f"Calendar {data.calendar_id} has no working periods.")
    periods, overrides = data.periods, data.overrides
    day = local.date()
    offset = _offset(local)
    provisional = False
    while True:
        work = overrides.get(day)
        if work is None:
            work, guessed = _statutory_workday(day)
            provisional = provisional or guessed
        if work:
            for period_start, period_end in periods:
                if period_end <= offset:
                    continue
                begin = period_start if period_start > offset else offset
                available = period_end - begin
                if remaining <= available:
                    return Deadline(at=_instant(day, begin + remaining), provisional=provisional)
                remaining -= available
        day += ONE_DAY
        offset = 0


def working_time_between(
    a: datetime.datetime, b: datetime.datetime, calendar: CalendarRef = None
) -> WorkingSpan:
    """Return the working time between ``a`` and ``b``.

    When ``b`` is earlier than ``a`` the duration is negative (the working
    time from ``b`` to ``a``, negated), which suits "time left" displays:
    a negative time left means overdue. ``provisional`` is True when a day
    in the range lies in a year chinesecalendar does not cover. Inside
    :meth:`Timeline.installed` the timeline answers for its calendar (the
    same span).
    """
    timeline = _installed.get()
    if timeline is not None and timeline.serves(calendar):
        return timeline.between(a, b)
    return _walk_between(a, b, calendar)


def _walk_between(a: datetime.datetime, b: datetime.datetime, calendar: CalendarRef) -> WorkingSpan:
    """:func:`working_time_between` by walking over the days."""
    local_a, local_b = _local(a, "a"), _local(b, "b")
    if local_b < local_a:
        span = _walk_between(b, a, calendar)
        return WorkingSpan(duration=-span.duration, provisional=span.provisional)
    if local_a == local_b:
        return WorkingSpan(duration=datetime.timedelta(0), provisional=False)
    data = _calendar_data(calendar)
    periods, overrides = data.periods, data.overrides
    day, last_day = local_a.date(), local_b.date()
    low, last_high = _offset(local_a), _offset(local_b)
    total = 0
    provisional = False
    while day <= last_day:
        high = last_high if day == last_day else MICROS_PER_DAY
        work = overrides.get(day)
        if work is None:
            work, guessed = _statutory_workday(day)
            provisional = provisional or guessed
        if work:
            for period_start, period_end in periods:
                begin = period_start if period_start > low else low
                end = period_end if period_end < high else high
                if end > begin:
                    total += end - begin
        day += ONE_DAY
        low = 0
    return WorkingSpan(duration=datetime.timedelta(microseconds=total), provisional=provisional)


# --- limits in units ---------------------------------------------------------


def working_day_length(calendar: CalendarRef = None) -> datetime.timedelta:
    """Length of one working day: the calendar's total daily working time."""
    return datetime.timedelta(microseconds=_calendar_data(calendar).daily_micros)


def duration_of(
    amount: int | Decimal, unit: TimeUnit | str, calendar: CalendarRef = None
) -> datetime.timedelta:
    """Convert ``amount`` of ``unit`` into a timedelta (of working or continuous time).

    Fractions are allowed (``Decimal("0.5")`` working days = 4 working hours
    with the default periods); the result is rounded to the microsecond.
    """
    unit = TimeUnit(unit)
    if unit == TimeUnit.WORKING_DAYS:
        base = _calendar_data(calendar).daily_micros
    elif unit in (TimeUnit.WORKING_HOURS, TimeUnit.HOURS):
        base = MICROS_PER_HOUR
    elif unit in (TimeUnit.WORKING_MINUTES, TimeUnit.MINUTES):
        base = MICROS_PER_MINUTE
    else:
        base = MICROS_PER_DAY
    if isinstance(amount, int):
        micros = amount * base
    else:
        micros = int((Decimal(amount) * base).to_integral_value(rounding=ROUND_HALF_UP))
    return datetime.timedelta(microseconds=micros)


def deadline_for(
    start: datetime.datetime,
    amount: int | Decimal,
    unit: TimeUnit | str,
    calendar: CalendarRef = None,
) -> Deadline:
    """Deadline of a limit of ``amount`` ``unit`` started at ``start``.

    Working units go through :func:`add_working_time`; continuous units are
    plain addition of exact hours/days (never provisional).
    """
    unit = TimeUnit(unit)
    duration = duration_of(amount, unit, calendar)
    if unit.continuous:
        local = _local(start, "start")
        if duration < datetime.timedelta(0):
            raise ValueError("The amount of time cannot be negative.")
        return Deadline(at=local + duration, provisional=False)
    return add_working_time(start, duration, calendar)


def elapsed(
    start: datetime.datetime,
    now: datetime.datetime,
    unit: TimeUnit | str,
    calendar: CalendarRef = None,
) -> datetime.timedelta:
    """Time used since ``start``, in working time for working units, else continuous."""
    if TimeUnit(unit).continuous:
        return _local(now, "now") - _local(start, "start")
    return working_time_between(start, now, calendar).duration


# --- lights ----------------------------------------------------------------


def light_for(used: datetime.timedelta, limit: datetime.timedelta) -> Light:
    """Green while ``used`` ≤ 80 % of ``limit``, yellow while ≤ 100 %, red past it.

    Compared exactly (in integer microseconds), so exactly 80 % is still green
    and exactly 100 % is still yellow.
    """
    if used * 5 <= limit * 4:
        return Light.GREEN
    if used <= limit:
        return Light.YELLOW
    return Light.RED


def _used_and_limit(
    start: datetime.datetime,
    deadline: datetime.datetime,
    now: datetime.datetime,
    calendar: CalendarRef,
    continuous: bool,
) -> tuple[datetime.timedelta, datetime.timedelta]:
    if continuous:
        for value, name in ((start, "start"), (deadline, "deadline"), (now, "now")):
            _local(value, name)
        return now - start, deadline - start
    return (
        working_time_between(start, now, calendar).duration,
        working_time_between(start, deadline, calendar).duration,
    )


def light_at(
    start: datetime.datetime,
    deadline: datetime.datetime,
    now: datetime.datetime,
    calendar: CalendarRef = None,
    continuous: bool = False,
) -> Light:
    """Light of a limit running from ``start`` to ``deadline``, seen at ``now``.

    Used time and the limit are measured in working time of ``calendar``, or
    in continuous time when ``continuous`` is True (urgent limits), and passed
    to :func:`light_for`. The limit is simply the time from ``start`` to
    ``deadline``, so extensions and suspensions are whatever moved the
    deadline. Red exactly when ``now`` is past ``deadline`` (overdue), even in
    a lunch break right after a deadline at 12:00 where no working time passes.
    """
    used, limit = _used_and_limit(start, deadline, now, calendar, continuous)
    if now > deadline:
        return Light.RED
    return light_for(used, limit)


def yellow_after(
    start: datetime.datetime,
    deadline: datetime.datetime,
    calendar: CalendarRef = None,
    continuous: bool = False,
) -> datetime.datetime:
    """The last instant at which the light of :func:`light_at` is still green.

    That is the last instant with at most 80 % of the limit used: if 80 % is
    reached at 12:00 the light stays green through the lunch break and turns
    yellow just after 14:00. Store it on the row next to the deadline, so a
    worker finds limits turning yellow with one indexed query
    (``yellow_after < now``) instead of computing every light.
    """
    if continuous:
        _local(deadline, "deadline")
        return _local(start, "start") + (deadline - start) * 4 // 5
    limit = working_time_between(start, deadline, calendar).duration
    if limit <= datetime.timedelta(0):
        return _local(start, "start")
    tick = datetime.timedelta(microseconds=1)
    # The first instant past 80 %, minus the smallest step: the end of the
    # stretch (possibly a break) during which exactly 80 % is used.
    return add_working_time(start, limit * 4 // 5 + tick, calendar).at - tick


# --- many deadlines over a known range -------------------------------------

_ZERO = datetime.timedelta(0)


class Timeline:
    """:func:`add_working_time` and :func:`working_time_between` by bisection.

    For code that computes hundreds of thousands of instants over a known
    range of days (the demo's year of history): the working periods of every
    day from ``first`` to ``last`` are laid out once, on the same wall clock
    the two functions walk (microseconds after the first midnight, day by
    day), with the working time before each, so an answer is two binary
    searches instead of a walk over days. The answers are those of the two
    functions (same instants, same ``provisional``); anything outside the
    range, and a zero amount, is passed to them. The range stops before the
    first day of a year chinesecalendar does not cover (unless an override
    decides that day), so the timeline never guesses and never logs the
    uncovered-year warning for days nobody asked about. The calendar is read
    once: build a new timeline after changing it (an installed timeline stops
    answering when the calendar cache is cleared, see :meth:`serves`).
    """

    def __init__(self, first: datetime.date, last: datetime.date, calendar: CalendarRef = None):
        from bisect import bisect_left, bisect_right

        self._left, self._right = bisect_left, bisect_right
        self.calendar = calendar
        self.first = first.toordinal()
        data = _calendar_data(calendar)  # may create the default calendar (a cache clear)
        self._generation = _generation  # a later clear makes the timeline stale (serves)
        self.starts: list[int] = []  # wall-clock micros after the first midnight
        self.ends: list[int] = []
        self.before: list[int] = []  # working micros before each period
        self.midnights: list[datetime.datetime] = []  # the midnight before each period
        self.bases: list[int] = []  # and its wall-clock micros
        total = 0
        day = first
        while day <= last:
            work = data.overrides.get(day)
            if work is None:
                try:
                    work = bool(chinese_calendar.is_workday(day))
                except NotImplementedError:  # an uncovered year: the range ends here
                    break
            if work:
                base = (day.toordinal() - self.first) * MICROS_PER_DAY
                midnight = _instant(day, 0)
                for period_start, period_end in data.periods:
                    self.starts.append(base + period_start)
                    self.ends.append(base + period_end)
                    self.before.append(total)
                    self.midnights.append(midnight)
                    self.bases.append(base)
                    total += period_end - period_start
            day += ONE_DAY
        self.after = [
            b + (e - s) for b, s, e in zip(self.before, self.starts, self.ends, strict=True)
        ]
        self.high = (day.toordinal() - self.first) * MICROS_PER_DAY  # the day after the last
        self.zone = _zone()

    def _wall(self, value: datetime.datetime) -> int:
        """Wall-clock micros after the first midnight, in the default time zone."""
        local = value.astimezone(self.zone)
        return (
            (local.toordinal() - self.first) * MICROS_PER_DAY
            + ((local.hour * 60 + local.minute) * 60 + local.second) * 1_000_000
            + local.microsecond
        )

    def _worked(self, wall: int) -> int:
        """Working micros of the range before wall-clock instant ``wall``."""
        i = self._right(self.ends, wall)
        if i < len(self.starts) and self.starts[i] < wall:
            return self.before[i] + wall - self.starts[i]
        return self.after[i - 1] if i else 0

    def add(self, start: datetime.datetime, amount: datetime.timedelta) -> Deadline:
        """:func:`add_working_time` (``start`` + ``amount`` of working time)."""
        at = self.instant(start, amount)
        if at is None:
            return _walk_add(start, amount, self.calendar)
        return Deadline(at=at, provisional=False)

    def instant(self, start: datetime.datetime, amount: datetime.timedelta):
        """``add(start, amount).at``, or None when the answer lies outside the range
        (or the amount is not positive): then ask :func:`add_working_time`."""
        if start.tzinfo is None or amount <= _ZERO or not self.starts:
            return None
        wall = self._wall(start)
        if not 0 <= wall < self.high:
            return None
        target = self._worked(wall) + _micros(amount)
        j = self._left(self.after, target)
        if j == len(self.after):
            return None
        micros = self.starts[j] + target - self.before[j] - self.bases[j]
        # _instant(day, micros): the midnight plus the micros, on the wall clock
        return self.midnights[j] + _MICROSECOND * micros

    def at(self, start: datetime.datetime, amount: datetime.timedelta) -> datetime.datetime:
        """``add(start, amount).at``."""
        at = self.instant(start, amount)
        return _walk_add(start, amount, self.calendar).at if at is None else at

    def between(self, a: datetime.datetime, b: datetime.datetime) -> WorkingSpan:
        """:func:`working_time_between` (negative when ``b`` comes before ``a``)."""
        if a.tzinfo is None or b.tzinfo is None:
            return _walk_between(a, b, self.calendar)
        x, y = self._wall(a), self._wall(b)
        if not (0 <= x < self.high and 0 <= y < self.high):
            return _walk_between(a, b, self.calendar)
        if a == b:
            return WorkingSpan(duration=_ZERO, provisional=False)
        if b < a:
            x, y = y, x
            sign = -1
        else:
            sign = 1
        span = _MICROSECOND * (self._worked(y) - self._worked(x))
        return WorkingSpan(duration=span if sign > 0 else -span, provisional=False)

    def deadline(self, start: datetime.datetime, amount, unit: TimeUnit | str) -> Deadline:
        """:func:`deadline_for`: working units through :meth:`add`."""
        unit = TimeUnit(unit)
        if unit.continuous:
            return deadline_for(start, amount, unit, self.calendar)
        return self.add(start, duration_of(amount, unit, self.calendar))

    def serves(self, calendar: CalendarRef) -> bool:
        """Whether the timeline answers for ``calendar`` (the same one, not changed since)."""
        if self._generation != _generation:
            return False
        if calendar is None or self.calendar is None:
            return calendar is self.calendar
        return getattr(calendar, "pk", calendar) == getattr(self.calendar, "pk", self.calendar)

    @contextlib.contextmanager
    def installed(self):
        """While inside, :func:`add_working_time` and :func:`working_time_between`
        for this timeline's calendar, and what is built on them (:func:`deadline_for`,
        :func:`elapsed`, :func:`light_at`, :func:`yellow_after`), answer from the
        timeline: the same answers, without walking over days. For a batch that
        computes many deadlines over a known range (the demo history runs the
        actions' own clock functions this way). Per context (thread, task)."""
        token = _installed.set(self)
        try:
            yield self
        finally:
            _installed.reset(token)


#: The timeline :meth:`Timeline.installed` put in place (None: walk over the days).
_installed: contextvars.ContextVar[Timeline | None] = contextvars.ContextVar(
    "worktime_timeline", default=None
)
_MICROSECOND = datetime.timedelta(microseconds=1)
