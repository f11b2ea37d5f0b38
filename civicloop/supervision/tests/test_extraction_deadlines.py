"""Deadlines in running text, resolved against the report's date: a table of cases."""

import datetime

import chinese_calendar
import pytest

from civicloop.supervision.extraction.deadlines import find_deadlines
from civicloop.worktime.models import Calendar, DayOverride


def statutory(day: datetime.date) -> bool:
    return chinese_calendar.is_workday(day)


def read(text: str, on: str, is_workday=statutory):
    found = find_deadlines(text, 0, len(text), datetime.date.fromisoformat(on), is_workday)
    return [(text[d.start : d.end], d.date.isoformat() if d.date else None, d.kind) for d in found]


CASES = [
    # (text, report date, expression, deadline)
    ("要确保在9月15日之前完成", "2020-08-20", "9月15日之前", "2020-09-15"),
    ("确保7月20日之前全部完工", "2020-06-28", "7月20日之前", "2020-07-20"),
    ("7月20日之前完成", "2020-08-01", "7月20日之前", "2021-07-20"),  # passed: next year
    ("今年12月底前完成", "2020-11-20", "今年12月底前", "2020-12-31"),
    ("明年3月底前完成", "2020-11-20", "明年3月底前", "2021-03-31"),
    ("明年6月底前完成", "2020-11-16", "明年6月底前", "2021-06-30"),
    ("2021年5月1日前", "2020-11-16", "2021年5月1日前", "2021-05-01"),
    ("1月底前完成", "2020-12-10", "1月底前", "2021-01-31"),
    ("各镇办要在8月底前", "2020-08-20", "8月底前", "2020-08-31"),
    ("10月上旬前", "2020-09-01", "10月上旬前", "2020-10-10"),
    ("6月中旬前完成", "2020-05-12", "6月中旬前", "2020-06-20"),
    ("10月下旬前完成", "2020-10-09", "10月下旬前", "2020-10-31"),
    ("二月下旬完成", "2020-02-03", "二月下旬", "2020-02-29"),  # leap year
    ("十二月十五日前", "2020-11-01", "十二月十五日前", "2020-12-15"),
    ("本月底前实现", "2020-04-08", "本月底前", "2020-04-30"),
    ("下月底前完成", "2020-05-18", "下月底前", "2020-06-30"),
    ("下月底前完成", "2020-12-18", "下月底前", "2021-01-31"),
    ("月底前上报", "2020-02-03", "月底前", "2020-02-29"),
    ("年内完成整治", "2020-11-20", "年内", "2020-12-31"),
    ("年底前打造", "2020-11-05", "年底前", "2020-12-31"),
    ("今年底前完成", "2020-11-16", "今年底前", "2020-12-31"),
    ("6月份启动", "2020-06-05", "6月份", "2020-06-30"),
    ("7月前完成", "2020-05-05", "7月前", "2020-06-30"),
    ("在明年一季度完成", "2020-12-15", "明年一季度", "2021-03-31"),
    ("一季度完成", "2020-11-15", "一季度", "2021-03-31"),  # passed: next year
    ("于二季度末前完成", "2020-04-01", "二季度末前", "2020-06-30"),
    ("三季度末前报送", "2020-09-21", "三季度末前", "2020-09-30"),
    ("第四季度完成", "2020-09-21", "第四季度", "2020-12-31"),
    ("上半年完成", "2020-02-21", "上半年", "2020-06-30"),
    ("下半年实现", "2020-06-15", "下半年", "2020-12-31"),
    ("两周内完成", "2020-03-02", "两周内", "2020-03-16"),
    ("10天内整改完毕", "2020-06-22", "10天内", "2020-07-02"),
    ("一个月内完成", "2020-04-15", "一个月内", "2020-05-15"),
    ("两个月内完成", "2020-12-31", "两个月内", "2021-02-28"),
    ("本周五前完成", "2020-09-07", "本周五前", "2020-09-11"),
    ("下周三前报送", "2020-09-07", "下周三前", "2020-09-16"),
    ("本周内完成", "2020-06-08", "本周内", "2020-06-14"),
    ("下周末前完成", "2020-06-10", "下周末", "2020-06-21"),
    ("国庆节前完成", "2020-09-28", "国庆节前", "2020-09-30"),
    ("元旦前组织", "2020-12-21", "元旦前", "2020-12-31"),
    ("春节前完成", "2020-01-06", "春节前", "2020-01-24"),
    ("春节前完成", "2020-11-06", "春节前", "2021-02-11"),
    ("五一前完成", "2020-04-06", "五一前", "2020-04-30"),
]


@pytest.mark.parametrize(("text", "on", "expression", "deadline"), CASES)
def test_deadline(text, on, expression, deadline):
    assert [found[:2] for found in read(text, on)] == [(expression, deadline)]


WORKING_DAYS = [
    # Labour Day 2020: 1–5 May off, Sunday 26 April and Saturday 9 May worked.
    ("各镇办要在5个工作日内完成", "2020-04-20", "2020-04-26"),
    ("3个工作日内完成", "2020-02-03", "2020-02-06"),
    # National Day 2020: 1–8 October off, Sunday 27 September and Saturday 10 October worked.
    ("5个工作日内", "2020-09-24", "2020-09-30"),
    ("七个工作日内", "2020-09-28", "2020-10-14"),
]


@pytest.mark.parametrize(("text", "on", "deadline"), WORKING_DAYS)
def test_working_days_follow_holidays_and_make_up_days(text, on, deadline):
    assert read(text, on)[0][1] == deadline


@pytest.mark.django_db
def test_working_days_go_through_the_work_calendar():
    """Without an ``is_workday``, the default calendar of worktime decides (overrides included)."""
    text = "5个工作日内完成"
    assert read(text, "2020-04-20", is_workday=None)[0][1] == "2020-04-26"
    DayOverride.objects.create(
        calendar=Calendar.get_default(), date=datetime.date(2020, 4, 22), is_workday=False
    )
    assert read(text, "2020-04-20", is_workday=None)[0][1] == "2020-04-27"


NOT_DEADLINES = [
    ("每周五前通报进展", "2020-03-30"),  # periodic
    ("每月开展不少于2次", "2020-06-15"),
    ("在一季度工作基础上", "2020-04-01"),  # a period as a noun
    ("勤劳街3号院的楼院整治", "2020-10-09"),
    ("一次性创业补贴", "2020-06-10"),
]


@pytest.mark.parametrize(("text", "on"), NOT_DEADLINES)
def test_not_a_deadline(text, on):
    assert read(text, on) == []


EVENT_SPANS = [
    ("申请材料须在受理后10个工作日内审核完毕", "10个工作日内"),
    ("发现问题3个工作日内整改到位", "3个工作日内"),
    ("对注册一年以内的企业", "一年以内"),
    ("自接到通知之日起15日内", "15日内"),
]


@pytest.mark.parametrize(("text", "expression"), EVENT_SPANS)
def test_a_span_from_an_event_is_a_rule_not_a_deadline(text, expression):
    assert read(text, "2020-06-10") == [(expression, None, "event")]


def test_impossible_dates_are_not_read():
    assert read("2月30日前完成", "2020-01-10") == []
    assert read("13月底前", "2020-01-10") == []


@pytest.mark.django_db
def test_working_days_in_a_year_the_calendar_does_not_know_are_provisional():
    (found,) = find_deadlines("5个工作日内", 0, 7, datetime.date(2040, 6, 4))
    assert (found.date, found.provisional) == (datetime.date(2040, 6, 11), True)
    (found,) = find_deadlines("5个工作日内", 0, 7, datetime.date(2020, 4, 20))
    assert (found.date, found.provisional) == (datetime.date(2020, 4, 26), False)
