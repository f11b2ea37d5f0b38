"""An extension and a suspension carrying a deadline over the 2026 National Day holiday.

2026: 1–7 October are holidays; Saturday 10 October is a make-up workday;
Sunday 11 October is off. Working time is 08:00–12:00 and 14:00–18:00.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from civicloop.cases import actions
from civicloop.cases.models import CaseRequest, State

from .loop_helpers import pending, report

pytestmark = pytest.mark.django_db
TZ = timezone.get_fixed_timezone(8 * 60)


def t(month, day, hour, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=TZ)


def test_extension_and_suspension_over_national_day(loop, photo):
    a = loop["actors"]
    # A broken (not missing) manhole cover, area class A: 2 working days = 16 working hours.
    case = report(loop, category="C0101", standard="C010102", at=t(9, 30, 14, 30))
    case = actions.accept_case(a["acceptor"], case, at=t(9, 30, 14, 40))
    case = actions.file_case(a["shift_leader"], case, standard="C010102", at=t(9, 30, 14, 50))
    case = actions.dispatch_case(a["dispatcher"], case, at=t(9, 30, 15))
    # 3 h on 30 Sep, holidays, 8 h on 8 Oct, 5 h on 9 Oct → 9 Oct 15:00.
    assert case.handling_deadline == t(10, 9, 15)
    case = actions.sign_case(a["handler_west"], case, at=t(9, 30, 15, 10))

    with pytest.raises(actions.Invalid, match="more than zero"):
        actions.request_extension(a["handler_west"], case, hours=0, reason="材料")
    with pytest.raises(actions.Invalid, match="more than zero"):
        actions.request_extension(a["handler_west"], case, hours=-4, reason="材料")
    with pytest.raises(actions.Invalid):
        actions.request_extension(a["handler_west"], case, hours="abc", reason="材料")
    request = actions.request_extension(a["handler_west"], case, hours=8, reason="等待井盖到货",
                                        at=t(9, 30, 15, 20))  # fmt: skip
    case = actions.approve_extension(a["dispatcher"], request, at=t(9, 30, 15, 30))
    # +8 working hours: 3 h on 9 Oct, then the make-up Saturday 10 Oct 08–12, 14–15.
    assert case.handling_deadline == t(10, 10, 15)
    assert case.extension_hours == Decimal(8) and case.extension_count == 1
    with pytest.raises(actions.InvalidState, match="already been decided"):
        actions.approve_extension(a["dispatcher"], request, at=t(9, 30, 15, 31))

    request = actions.request_suspension(a["handler_west"], case, reason="节日期间无法施工",
                                         at=t(9, 30, 15, 50))  # fmt: skip
    case = actions.approve_suspension(a["dispatcher"], pending(case, CaseRequest.Kind.SUSPENSION),
                                      at=t(9, 30, 16))  # fmt: skip
    assert case.state == State.SUSPENDED and case.light == "" and case.due_at is None
    with pytest.raises(actions.InvalidState):
        actions.submit_result(a["handler_west"], case, note="x")
    case = actions.resume_case(a["dispatcher"], case, at=t(10, 8, 10))
    # Suspended working time: 30 Sep 16–18 and 8 Oct 08–10 = 4 h → the deadline
    # moves from Sat 10 Oct 15:00 by 4 working hours: 3 h that day, Sunday off,
    # Monday 12 Oct 08:00–09:00.
    assert case.state == State.IN_PROGRESS
    assert case.handling_deadline == t(10, 12, 9)
    assert case.suspended_seconds == 4 * 3600 and case.suspension_count == 1
    assert case.due_at == case.handling_deadline and case.light in ("green", "yellow")

    case = actions.submit_result(a["handler_west"], case, note="已更换", at=t(10, 12, 8, 30),
                                 photos=[photo()])  # fmt: skip
    assert case.handled_on_time is True
