"""Dispatching to another unit than the routing suggestion needs a reason (改派理由),
checked in ``check_dispatch`` (so the console and the API agree) and kept in history."""

import pytest

from civicloop.cases import actions
from civicloop.core.errors import Invalid

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(loop):
    a = loop["actors"]
    lon, lat = loop["west_point"]
    case = actions.report_case(a["inspector"], source="inspector", category="E0102", lon=lon,
                               lat=lat, description="垃圾")  # fmt: skip
    actions.accept_case(a["acceptor"], case)
    actions.file_case(a["shift_leader"], case)
    case.refresh_from_db()
    assert case.proposed_unit == loop["cleaning"]
    return case


def test_another_unit_without_reason_is_refused_at_the_reason(loop, pending):
    west = loop["offices"]["west"]
    with pytest.raises(Invalid) as error:
        actions.check_dispatch(loop["actors"]["dispatcher"], pending, unit=west)
    assert error.value.field == "reason"
    with pytest.raises(Invalid):
        actions.dispatch_case(loop["actors"]["dispatcher"], pending, unit=west, reason="  ")
    pending.refresh_from_db()
    assert pending.state == "pending_dispatch" and pending.unit_id is None


def test_override_reason_is_kept_with_the_suggestion_set_aside(loop, pending):
    west = loop["offices"]["west"]
    case = actions.dispatch_case(loop["actors"]["dispatcher"], pending, unit=west,
                                 reason="该路段由街道清扫", note="请尽快")  # fmt: skip
    assert case.unit == west
    event = case.events.get(action="dispatch")
    assert event.note == "请尽快"
    assert event.data["override_reason"] == "该路段由街道清扫"
    assert event.data["proposed_unit"] == loop["cleaning"].pk
    assert event.data["routing_reason"] == case.routing_reason


def test_the_suggested_unit_needs_no_reason_and_records_none(loop, pending):
    case = actions.dispatch_case(
        loop["actors"]["dispatcher"], pending, unit=loop["cleaning"], reason="ignored"
    )
    event = case.events.get(action="dispatch")
    assert "override_reason" not in event.data
