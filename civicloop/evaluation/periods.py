"""Evaluation periods: a day, an ISO week, a month, a quarter, a year or a date range.

A period is written as text in URLs and commands:

* ``2025-03-14`` a day, ``2025-W11`` an ISO week, ``2025-03`` a month,
  ``2025-Q1`` a quarter, ``2025`` a year,
* ``2025-03-01..2025-03-20`` a range of whole days (both ends included).

Bounds are local midnights (``TIME_ZONE``) as aware datetimes; ``end`` is
exclusive. The previous period has the same kind (for a range: the same
number of days just before it).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

KINDS = ("day", "week", "month", "quarter", "year", "range")
MAX_RANGE_DAYS = 3660
#: Years a period may fall in: the previous period, the six-month trend and the
#: local midnights stay computable (year 1 or 9999 would overflow, a 500).
MIN_YEAR, MAX_YEAR = 1900, 2999


class PeriodError(ValueError):
    """A period that cannot be read."""


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


@dataclass(frozen=True)
class Period:
    kind: str
    first: datetime.date  # first day
    last: datetime.date  # last day (included)

    @property
    def start(self) -> datetime.datetime:
        return _midnight(self.first)

    @property
    def end(self) -> datetime.datetime:
        return _midnight(self.last + datetime.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def key(self) -> str:
        if self.kind == "day":
            return self.first.isoformat()
        if self.kind == "week":
            year, week, _weekday = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.first.year)
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    @property
    def label(self) -> str:
        if self.kind == "day":
            return _("%(y)d-%(m)02d-%(d)02d") % {
                "y": self.first.year, "m": self.first.month, "d": self.first.day,
            }  # fmt: skip
        if self.kind == "week":
            year, week, _weekday = self.first.isocalendar()
            return _("week %(w)d of %(y)d") % {"w": week, "y": year}
        if self.kind == "month":
            return _("%(y)d-%(m)02d") % {"y": self.first.year, "m": self.first.month}
        if self.kind == "quarter":
            return _("Q%(q)d %(y)d") % {"q": (self.first.month - 1) // 3 + 1, "y": self.first.year}
        if self.kind == "year":
            return _("year %(y)d") % {"y": self.first.year}
        return _("%(a)s to %(b)s") % {"a": self.first.isoformat(), "b": self.last.isoformat()}

    def __str__(self) -> str:
        return self.key

    def previous(self) -> Period:
        if self.kind == "day":
            day = self.first - datetime.timedelta(days=1)
            return Period("day", day, day)
        if self.kind == "week":
            first = self.first - datetime.timedelta(days=7)
            return Period("week", first, first + datetime.timedelta(days=6))
        if self.kind == "month":
            return month(*_add_months(self.first.year, self.first.month, -1))
        if self.kind == "quarter":
            year, mon = _add_months(self.first.year, self.first.month, -3)
            return Period("quarter", datetime.date(year, mon, 1), _month_end(year, mon + 2))
        if self.kind == "year":
            year = self.first.year - 1
            return Period("year", datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        last = self.first - datetime.timedelta(days=1)
        return Period("range", last - datetime.timedelta(days=self.days - 1), last)

    def contains(self, moment: datetime.datetime) -> bool:
        return self.start <= moment < self.end


def _add_months(year: int, mon: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (mon - 1) + delta
    return index // 12, index % 12 + 1


def _month_end(year: int, mon: int) -> datetime.date:
    year2, mon2 = _add_months(year, mon, 1)
    return datetime.date(year2, mon2, 1) - datetime.timedelta(days=1)


def month(year: int, mon: int) -> Period:
    return Period("month", datetime.date(year, mon, 1), _month_end(year, mon))


def _bounded(period: Period) -> Period:
    if period.first.year < MIN_YEAR or period.last.year > MAX_YEAR:
        raise PeriodError(
            _("Periods must fall between the years %(low)d and %(high)d.")
            % {"low": MIN_YEAR, "high": MAX_YEAR}
        )
    return period


def current(kind: str = "month", today: datetime.date | None = None) -> Period:
    """The period of ``kind`` containing today (local date).

    :class:`PeriodError` when ``today`` is outside the years a period may fall in.
    """
    today = today or timezone.localdate()
    if not MIN_YEAR <= today.year <= MAX_YEAR:
        raise PeriodError(
            _("Periods must fall between the years %(low)d and %(high)d.")
            % {"low": MIN_YEAR, "high": MAX_YEAR}
        )
    if kind == "day":
        return Period("day", today, today)
    if kind == "week":
        first = today - datetime.timedelta(days=today.weekday())
        return Period("week", first, first + datetime.timedelta(days=6))
    if kind == "quarter":
        first_month = (today.month - 1) // 3 * 3 + 1
        return Period(
            "quarter", datetime.date(today.year, first_month, 1),
            _month_end(today.year, first_month + 2),
        )  # fmt: skip
    if kind == "year":
        return Period("year", datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31))
    return month(today.year, today.month)


def last_complete(kind: str = "month", today: datetime.date | None = None) -> Period:
    """The last period of ``kind`` that has ended (yesterday, last week, last month …).

    The pages default to the last complete month: on the first days of a month
    the current one holds too few cases to judge anyone by.
    """
    if kind == "range":
        kind = "month"
    return _bounded(current(kind, today).previous())


_PATTERNS = [
    ("range", re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")),
    ("day", re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")),
    ("week", re.compile(r"^(\d{4})-W(\d{1,2})$", re.I)),
    ("quarter", re.compile(r"^(\d{4})-Q([1-4])$", re.I)),
    ("month", re.compile(r"^(\d{4})-(\d{1,2})$")),
    ("year", re.compile(r"^(\d{4})$")),
]


def parse(text: str | None, default_kind: str = "month") -> Period:
    """Read a period; empty text means the current month. :class:`PeriodError` if invalid."""
    return _bounded(_parse(text, default_kind))


def _parse(text: str | None, default_kind: str) -> Period:
    text = (text or "").strip()
    if not text:
        return current(default_kind)
    for kind, pattern in _PATTERNS:
        found = pattern.match(text)
        if not found:
            continue
        try:
            if kind == "range":
                first = datetime.date.fromisoformat(found.group(1))
                last = datetime.date.fromisoformat(found.group(2))
                if last < first:
                    raise PeriodError(_("The range ends before it starts."))
                if (last - first).days >= MAX_RANGE_DAYS:
                    raise PeriodError(_("A range can be at most ten years."))
                return Period("range", first, last)
            if kind == "day":
                day = datetime.date(*map(int, found.groups()))
                return Period("day", day, day)
            if kind == "week":
                first = datetime.date.fromisocalendar(int(found.group(1)), int(found.group(2)), 1)
                return Period("week", first, first + datetime.timedelta(days=6))
            if kind == "quarter":
                year, quarter = int(found.group(1)), int(found.group(2))
                first_month = (quarter - 1) * 3 + 1
                return Period(
                    "quarter", datetime.date(year, first_month, 1),
                    _month_end(year, first_month + 2),
                )  # fmt: skip
            if kind == "month":
                return month(int(found.group(1)), int(found.group(2)))
            year = int(found.group(1))
            return Period("year", datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        except (ValueError, OverflowError) as error:
            if isinstance(error, PeriodError):
                raise
            raise PeriodError(_("%(text)s is not a valid period.") % {"text": text}) from None
    raise PeriodError(
        _(
            "%(text)s is not a period; use 2025-03-14, 2025-W11, 2025-03, 2025-Q1, 2025 "
            "or 2025-03-01..2025-03-20."
        )
        % {"text": text}
    )
