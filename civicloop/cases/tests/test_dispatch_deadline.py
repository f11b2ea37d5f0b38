"""A trusted caller may dispatch with a deadline named elsewhere (a leader's inspection)."""

import datetime

import pytest
from django.utils import timezone

from civicloop.cases import actions
from civicloop.cases.actions import Invalid

pytestmark = pytest.mark.django_db

T0 = timezone.make_aware(datetime.datetime(2025, 3, 10, 9, 0))  # a Monday


def _pending_dispatch(loop):
    a = loop["actors"]
    lon, lat = loop["west_point"]
    case = actions.report_case(a["acceptor"], source="hotline", category="E0101", lon=lon,
                               lat=lat, description="占道经营", at=T0)  # fmt: skip
    actions.accept_case(a["acceptor"], case, at=T0)
    return actions.file_case(a["shift_leader"], case, at=T0)


def test_a_given_date_is_the_end_of_that_working_day(loop):
    case = _pending_dispatch(loop)
    checked = actions.check_dispatch(loop["actors"]["dispatcher"], case)
    case = actions.do_dispatch(checked, at=T0, deadline=datetime.date(2025, 3, 14))
    assert timezone.localtime(case.handling_deadline) == timezone.make_aware(
        datetime.datetime(2025, 3, 14, 18, 0)
    )
    assert case.due_at == case.handling_deadline  # the unit's sign-and-handle clock runs to it
    event = case.events.get(action="dispatch")
    assert event.data["deadline_set"] is True


def test_without_a_deadline_the_filing_standard_decides(loop):
    case = _pending_dispatch(loop)
    case = actions.dispatch_case(loop["actors"]["dispatcher"], case, at=T0)
    assert "deadline_set" not in case.events.get(action="dispatch").data


def test_a_deadline_already_passed_keeps_the_standard_limit_and_is_recorded(loop):
    case = _pending_dispatch(loop)
    checked = actions.check_dispatch(loop["actors"]["dispatcher"], case)
    case = actions.do_dispatch(checked, at=T0, deadline=datetime.date(2025, 3, 7))
    assert case.handling_deadline > T0  # the filing standard's limit runs
    data = case.events.get(action="dispatch").data
    assert "deadline_set" not in data and data["deadline_asked"].startswith("2025-03-07T18:00")


def test_a_deadline_that_is_not_a_date_is_refused_and_nothing_is_written(loop):
    case = _pending_dispatch(loop)
    checked = actions.check_dispatch(loop["actors"]["dispatcher"], case)
    with pytest.raises(Invalid) as refused:
        actions.do_dispatch(checked, at=T0, deadline="next Friday")
    assert refused.value.field == "deadline"
    case.refresh_from_db()
    assert case.state == "pending_dispatch"
