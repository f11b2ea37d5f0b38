"""A public report, sent for verification and found false on site."""

import pytest

from civicloop.cases import actions
from civicloop.cases.models import CancelReason, CaseEvent, State
from civicloop.cases.permissions import public_actor

pytestmark = pytest.mark.django_db


def test_public_report_verified_false(loop):
    lon, lat = loop["west_point"]
    case = actions.report_case(
        public_actor(), source="public", category="E0102", lon=lon, lat=lat,
        description="<b>垃圾</b>", reporter_phone="13800000000",
    )  # fmt: skip
    assert case.state == State.REPORTED and case.reporter is None
    assert case.description == "<b>垃圾</b>"  # stored as text, escaped when shown
    a = loop["actors"]
    with pytest.raises(actions.Forbidden):
        actions.send_for_verification(a["handler_west"], case)
    case = actions.send_for_verification(a["acceptor"], case)
    assert case.state == State.VERIFYING and case.due_at is not None

    with pytest.raises(actions.Forbidden, match="patrol area"):
        actions.verify_case(a["inspector2"], case, true_report=False, note="x")
    with pytest.raises(actions.Invalid):
        actions.verify_case(a["inspector"], case, true_report=False)  # a false report needs a note
    case = actions.verify_case(a["inspector"], case, true_report=False, note="现场无垃圾")
    assert case.state == State.CANCELLED and case.cancel_reason == CancelReason.NOT_ACCEPTED
    assert case.light == "" and case.due_at is None
    event = case.events.get(action=CaseEvent.Action.VERIFY)
    assert event.data["true"] is False and event.on_time is True
    assert event.actor == loop["users"]["inspector"] and event.role == "inspector"


def test_verified_true_goes_to_filing_and_an_assigned_inspector_may_verify(loop):
    lon, lat = loop["east_point"]  # no patrol area there
    case = actions.report_case(public_actor(), source="public", category="E0102", lon=lon, lat=lat)
    a = loop["actors"]
    case = actions.send_for_verification(a["acceptor"], case)
    with pytest.raises(actions.Forbidden):
        actions.verify_case(a["inspector2"], case, true_report=True)
    case = actions.assign_inspector(a["shift_leader"], case, inspector=loop["users"]["inspector2"])
    with pytest.raises(actions.Forbidden, match="another inspector"):
        actions.verify_case(a["inspector"], case, true_report=True)
    case = actions.verify_case(a["inspector2"], case, true_report=True)
    assert case.state == State.PENDING_FILING
