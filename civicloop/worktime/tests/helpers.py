"""Helpers shared by the work-calendar tests."""

import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    """An aware instant on the Shanghai wall clock."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def hours(value: float) -> datetime.timedelta:
    return datetime.timedelta(hours=value)
