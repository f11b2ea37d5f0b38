"""Deadlines written in running Chinese, resolved against the report's date.

What is read (each may carry 今年/明年/2021年 before it, and 前/之前/以前 after):

* a day: 9月15日, 7月20日之前, 明年1月15日前;
* a part of a month: 8月底, 10月下旬前, 6月中旬, 3月上旬, 本月底, 下月底, 月底前;
* a month: 6月份, 7月前 (the day before July begins);
* the year: 年底, 年内, 今年12月底前, 明年6月底前;
* a quarter or half: 一季度, 二季度末, 第三季度, 上半年, 下半年;
* a span from the report's date: 两周内, 30天内, 一个月内, 5个工作日内 (working
  days through :mod:`civicloop.worktime`, with its holidays and make-up days);
* a day of the week: 本周五前, 下周三; the end of a week: 本周内, 下周末 (Sunday);
* a holiday: 国庆节前, 元旦前, 春节前, 五一前.

A date without a year that has already passed on the report's date rolls over
to the next year ("1月底前" read on 2020-12-10 is 2021-01-31). A span that
starts from an event rather than from the report (受理后10个工作日内,
发现问题3个工作日内, 注册一年以内) is returned with ``kind="event"`` and no
date: it is a rule, not a deadline. Anything after 每 (每月, 每周五) is
periodic and is not read as a deadline.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from .numbers import NUMBER, to_number

WorkdayTest = Callable[[datetime.date], "bool | tuple[bool, bool]"]
"""Is this day a working day? ``bool``, or ``(is_workday, provisional)`` as worktime answers."""


@dataclass(frozen=True, slots=True)
class DeadlineMatch:
    """A deadline expression at ``text[start:end]``; ``date`` None for an event-relative span."""

    start: int
    end: int
    date: datetime.date | None
    kind: str  # "date", "span", "event"
    provisional: bool = False  # working days counted in a year the calendar does not cover


# Lunar new year's day (春节) by year; chinesecalendar knows holidays, not the lunar date.
SPRING_FESTIVAL = {
    2018: (2, 16), 2019: (2, 5), 2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22),
    2024: (2, 10), 2025: (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13),
    2030: (2, 3),
}  # fmt: skip

_YEAR = r"(?P<year>今年|本年|当年|明年|次年|来年|(?:20\d\d)年)?"
_MONTH = r"(?P<month>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月份?"
_DAY = r"(?P<day>3[01]|[12]\d|0?[1-9]|[一二]?十[一二三四五六七八九]?|三十一?|[一二三四五六七八九])[日号]"
_BEFORE = r"(?P<before>之前|以前|前|为止)?"
_NOT_EACH = r"(?<![每\d.])"

_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("day", re.compile(_NOT_EACH + _YEAR + _MONTH + _DAY + _BEFORE)),
    (
        "month_part",
        re.compile(_NOT_EACH + _YEAR + _MONTH + r"(?P<part>底|末|上旬|中旬|下旬|初|中)" + _BEFORE),
    ),
    (
        "this_month",
        re.compile(
            r"(?<![\d月每])(?P<which>本月|当月|下月|下个月|次月|月)(?P<part>底|末|上旬|中旬|下旬)"
            + _BEFORE
        ),
    ),
    (
        "month",
        re.compile(
            _NOT_EACH + _YEAR + _MONTH + r"(?P<bare>内|以内|前|之前)?(?![\d日号底末上中下初])"
        ),
    ),
    (
        "year_end",
        re.compile(
            r"(?<![\d〇零一二两三四五六七八九十个每])"
            r"(?P<year>今年|本年|当年|明年|次年|(?:20\d\d)年)?(?:度)?(?P<part>年底|年末|年内|年终|底|内|末)"
            + _BEFORE
        ),
    ),
    (
        "quarter",
        re.compile(_NOT_EACH + _YEAR + r"第?(?P<q>[一二三四1-4])季度(?P<part>末|底|内)?" + _BEFORE),
    ),
    (
        "half",
        re.compile(_NOT_EACH + _YEAR + r"(?P<half>上半年|下半年)(?P<part>末|底|内)?" + _BEFORE),
    ),
    (
        "span",
        re.compile(
            r"(?<!每)(?P<n>"
            + NUMBER
            + r")个?(?P<unit>工作日|天|日|周|星期|个月|月|年)(?P<within>之内|以内|内)"
        ),
    ),
    (
        "weekday",
        re.compile(
            r"(?<!每)(?P<week>本周|这周|下周|本星期|下星期|周|星期)(?P<wd>[一二三四五六日天1-7])"
            + _BEFORE
        ),
    ),
    ("week_end", re.compile(r"(?<!每)(?P<week>本周|这周|本星期|下周|下星期)(?P<part>内|末|之内)")),
    ("holiday", re.compile(r"(?P<name>国庆节?|元旦|春节|五一|劳动节)(?P<before>之前|以前|前)")),
]

# A bare period (一季度, 6月份, 上半年) is a deadline only when what follows is
# punctuation, the end, or a verb-like word; "一季度工作基础上" is not one.
_BARE_FOLLOW = re.compile(
    r"(?:$|[，,。；;、：:）)]|完成|实现|全面|基本|全部|建成|启动|开工|完工|前|底|末|内|要|将|"
    r"确保|力争|落实|达到|做到|开展|推进|组织|进行|对|把|将|让|使|由|达|全)"
)
_EVENT_BEFORE = re.compile(
    r"(?:后|起|之日|发现问题|发现|受理|收到|接到|注册|经营|成立|开业|投用|交付|签收|逾期)在?$"
)
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4}


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _year(match: re.Match, report: datetime.date) -> tuple[int, bool]:
    """(year, explicit): 今年 → report year, 明年 → next, 2021年 → 2021, none → report year."""
    word = match.groupdict().get("year")
    if not word:
        return report.year, False
    if word in ("明年", "次年", "来年"):
        return report.year + 1, True
    if word.endswith("年") and word[:-1].isdecimal():
        return int(word[:-1]), True
    return report.year, True


def _int(text: str) -> int | None:
    value = to_number(text)
    return int(value) if isinstance(value, int | float) else None


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_working_days(
    start: datetime.date, count: int, is_workday: WorkdayTest
) -> tuple[datetime.date, bool]:
    """The ``count``-th working day after ``start`` (not counted), and whether it is provisional."""
    day = start
    left = count
    provisional = False
    while left > 0:
        day += datetime.timedelta(days=1)
        answer = is_workday(day)
        if isinstance(answer, tuple):
            work, guessed = answer
            provisional = provisional or guessed
        else:
            work = answer
        if work:
            left -= 1
    return day, provisional


def worktime_workday(day: datetime.date) -> tuple[bool, bool]:
    """``(is_workday, provisional)`` by the default work calendar of :mod:`civicloop.worktime`."""
    from civicloop.worktime.services import is_workday

    return is_workday(day)


def _rolled(value: datetime.date, explicit: bool, report: datetime.date) -> datetime.date:
    if explicit or value >= report:
        return value
    try:
        return value.replace(year=value.year + 1)
    except ValueError:  # 29 February
        return value.replace(year=value.year + 1, day=28)


def _resolve(
    kind: str, m: re.Match, report: datetime.date, is_workday: WorkdayTest
) -> datetime.date | tuple[datetime.date, bool] | None:
    g = m.groupdict()
    if kind in ("day", "month_part", "month"):
        year, explicit = _year(m, report)
        month = _int(g["month"])
        if not month or not 1 <= month <= 12:
            return None
        if kind == "day":
            day = _int(g["day"])
            if not day or day > calendar.monthrange(year, month)[1]:
                return None
            return _rolled(datetime.date(year, month, day), explicit, report)
        if kind == "month_part":
            last = calendar.monthrange(year, month)[1]
            day = {"上旬": 10, "初": 10, "中旬": 20, "中": 15}.get(g["part"], last)
            return _rolled(datetime.date(year, month, day), explicit, report)
        if g.get("bare") in ("前", "之前"):
            value = datetime.date(year, month, 1) - datetime.timedelta(days=1)
        else:
            value = _month_end(year, month)
        return _rolled(value, explicit, report)
    if kind == "this_month":
        base = (
            report
            if g["which"] in ("本月", "当月", "月")
            else _add_months(report.replace(day=1), 1)
        )
        last = calendar.monthrange(base.year, base.month)[1]
        day = {"上旬": 10, "中旬": 20}.get(g["part"], last)
        return base.replace(day=day)
    if kind == "year_end":
        if g["part"] in ("底", "内", "末") and not g.get("year"):
            return None  # a lone 底/内 is not a year
        year, _explicit = _year(m, report)
        return datetime.date(year, 12, 31)
    if kind == "quarter":
        year, explicit = _year(m, report)
        q = _QUARTERS.get(g["q"]) or int(g["q"])
        return _rolled(_month_end(year, q * 3), explicit, report)
    if kind == "half":
        year, explicit = _year(m, report)
        month = 6 if g["half"] == "上半年" else 12
        return _rolled(_month_end(year, month), explicit, report)
    if kind == "span":
        n = _int(g["n"])
        if n is None or n <= 0 or n > 1000:
            return None
        unit = g["unit"]
        if unit == "工作日":
            return add_working_days(report, n, is_workday)  # (date, provisional)
        if unit in ("天", "日"):
            return report + datetime.timedelta(days=n)
        if unit in ("周", "星期"):
            return report + datetime.timedelta(weeks=n)
        if unit in ("个月", "月"):
            return _add_months(report, n)
        return _add_months(report, 12 * n)
    if kind == "weekday":
        wd = _WEEKDAYS.get(g["wd"])
        if wd is None:
            wd = int(g["wd"]) - 1
        monday = report - datetime.timedelta(days=report.weekday())
        if g["week"] in ("下周", "下星期"):
            monday += datetime.timedelta(weeks=1)
        value = monday + datetime.timedelta(days=wd)
        if value < report and g["week"] in ("周", "星期"):
            value += datetime.timedelta(weeks=1)
        return value
    if kind == "week_end":
        sunday = report + datetime.timedelta(days=6 - report.weekday())
        if g["week"] in ("下周", "下星期"):
            sunday += datetime.timedelta(weeks=1)
        return sunday
    if kind == "holiday":
        name = g["name"]
        year = report.year
        for candidate in (year, year + 1):
            if name.startswith("国庆"):
                first = datetime.date(candidate, 10, 1)
            elif name == "元旦":
                first = datetime.date(candidate + 1, 1, 1)
            elif name == "春节":
                if candidate not in SPRING_FESTIVAL:
                    return None
                first = datetime.date(candidate, *SPRING_FESTIVAL[candidate])
            else:
                first = datetime.date(candidate, 5, 1)
            value = first - datetime.timedelta(days=1)
            if value >= report:
                return value
        return None
    return None


def find_deadlines(
    text: str,
    start: int,
    end: int,
    report: datetime.date,
    is_workday: WorkdayTest | None = None,
) -> list[DeadlineMatch]:
    """Deadline expressions in ``text[start:end]``, in order, none overlapping.

    ``is_workday`` decides working days for 个工作日内 (default: the work
    calendar of :mod:`civicloop.worktime`, which reads the database).
    """
    workday = is_workday or worktime_workday
    candidates: list[tuple[int, int, str, re.Match]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text, start, end):
            if m.end() > m.start():
                candidates.append((m.start(), -(m.end() - m.start()), kind, m))
    candidates.sort(key=lambda c: (c[0], c[1]))
    found: list[DeadlineMatch] = []
    taken_until = start
    for a, _neg, kind, m in candidates:
        if a < taken_until:
            continue
        g = m.groupdict()
        bare = not (g.get("before") or g.get("bare") or g.get("part") or g.get("within"))
        if (
            kind in ("month", "quarter", "half")
            and bare
            and not _BARE_FOLLOW.match(text, m.end(), end)
        ):
            continue
        if kind == "span" and _EVENT_BEFORE.search(text, start, a):
            found.append(DeadlineMatch(a, m.end(), None, "event"))
            taken_until = m.end()
            continue
        value = _resolve(kind, m, report, workday)
        provisional = False
        if isinstance(value, tuple):
            value, provisional = value
        if value is None:
            continue
        found.append(
            DeadlineMatch(a, m.end(), value, "span" if kind == "span" else "date", provisional)
        )
        taken_until = m.end()
    return found
