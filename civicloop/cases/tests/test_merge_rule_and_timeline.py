"""No merge once handled; the timeline tells who decided what, for which unit, with
how many hours (civicloop.cases.timeline)."""

from decimal import Decimal

import pytest

from civicloop.cases import actions
from civicloop.cases.models import CaseEvent, CaseRequest, State, hours_label
from civicloop.cases.rules import RULES, available_actions
from civicloop.cases.timeline import annotate

from .loop_helpers import advance, pending, report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("state", [State.PENDING_CHECK, State.PENDING_CLOSURE])
def test_merge_is_refused_once_the_result_is_reported(loop, photo, state):
    shift = loop["actors"]["shift_leader"]
    target = report(loop, category="E0102")
    handled = advance(loop, report(loop, category="E0102"), state, photo=photo)
    assert "merge" not in available_actions(shift, handled)
    assert "merge" not in RULES.available(shift, handled)
    with pytest.raises(actions.InvalidState, match="already been handled"):
        actions.merge_case(shift, handled, into=target)
    handled.refresh_from_db()
    assert handled.state == state


@pytest.mark.parametrize("state", [State.REPORTED, State.PENDING_DISPATCH, State.IN_PROGRESS])
def test_merge_is_offered_before_the_result(loop, photo, state):
    shift = loop["actors"]["shift_leader"]
    target = report(loop, category="E0102")
    case = advance(loop, report(loop, category="E0102"), state, photo=photo)
    assert "merge" in available_actions(shift, case)
    assert actions.merge_case(shift, case, into=target).state == State.CANCELLED


def test_merge_into_a_handled_case_is_still_allowed(loop, photo):
    """The rule is about the duplicate: the case it repeats may be further along."""
    shift = loop["actors"]["shift_leader"]
    target = advance(loop, report(loop, category="E0102"), State.PENDING_CHECK, photo=photo)
    duplicate = report(loop, category="E0102")
    assert actions.merge_case(shift, duplicate, into=target).duplicate_of_id == target.pk


def test_hours_label():
    assert hours_label(Decimal("8.00")) == "asked 8 h"
    assert hours_label(Decimal("8.00"), Decimal("4.50")) == "asked 8 h · granted 4.5 h"
    assert hours_label(None) == ""


def _extension_granted(loop, asked="8", granted="4"):
    a = loop["actors"]
    case = advance(loop, report(loop, category="E0102"), State.IN_PROGRESS)
    actions.request_extension(a["handler_clean"], case, hours=asked, reason="吊车明天才到")
    request = pending(case, CaseRequest.Kind.EXTENSION)
    actions.approve_extension(a["dispatcher"], request, hours=granted, note="只批4小时")
    request.refresh_from_db()
    return case, request


def test_decisions_carry_the_deciders_note_and_the_hours_granted(loop):
    case, request = _extension_granted(loop)
    assert request.hours_label == "asked 8 h · granted 4 h"
    events = annotate(case.events.order_by("at", "id"))
    asked = next(e for e in events if e.action == CaseEvent.Action.REQUEST_EXTENSION)
    approved = next(e for e in events if e.action == CaseEvent.Action.APPROVE_EXTENSION)
    assert asked.note == "吊车明天才到"
    assert approved.note == "只批4小时"  # the decider's note, not the requester's reason
    assert approved.data["hours"] == "4.00" and approved.data["hours_asked"] == "8.00"
    assert asked.hours_label == approved.hours_label == "asked 8 h · granted 4 h"


@pytest.mark.parametrize("kind", ["return", "suspension"])
def test_other_approvals_carry_the_deciders_note(loop, kind):
    a = loop["actors"]
    case = advance(loop, report(loop, category="E0102"), State.IN_PROGRESS)
    getattr(actions, f"request_{kind}")(a["handler_clean"], case, reason="单位的理由")
    request = pending(case, kind)
    getattr(actions, f"approve_{kind}")(a["dispatcher"], request, note="派遣员的意见")
    event = case.events.get(action=f"approve_{kind}")
    assert event.note == "派遣员的意见"
    assert case.events.get(action=f"request_{kind}").note == "单位的理由"


def test_each_actor_is_labelled_with_their_own_unit(loop):
    case, _request = _extension_granted(loop)
    events = {e.action: e for e in annotate(case.events.select_related("unit"))}
    centre, cleaning = loop["centre"], loop["cleaning"]
    approved = events[CaseEvent.Action.APPROVE_EXTENSION]
    assert approved.unit_id == cleaning.pk  # the handling unit the step concerns
    assert (approved.actor_unit_id, approved.actor_unit_name) == (centre.pk, centre.name)
    assert events[CaseEvent.Action.SIGN].actor_unit_name == cleaning.name
    assert events[CaseEvent.Action.DISPATCH].actor_unit_name == centre.name
    assert events[CaseEvent.Action.REPORT].actor_unit_name == centre.name  # the inspector's


def test_old_rows_fall_back_to_the_actors_current_unit(loop):
    case = advance(loop, report(loop, category="E0102"), State.DISPATCHED)
    user = loop["users"]["dispatcher"]
    old = CaseEvent.objects.create(case=case, at=case.updated_at, actor=user,
                                   actor_name="dispatcher", role="dispatcher",
                                   unit=loop["cleaning"], action=CaseEvent.Action.REMIND)  # fmt: skip
    (event,) = annotate([old])
    assert event.actor_unit_name == loop["centre"].name


def test_the_timeline_needs_at_most_two_queries(loop, django_assert_max_num_queries):
    case, request = _extension_granted(loop)
    old_actor = loop["users"]["handler_clean"]
    for _i in range(3):
        CaseEvent.objects.create(case=case, at=case.updated_at, actor=old_actor, role="handler",
                                 action=CaseEvent.Action.REMIND)  # fmt: skip
    events = list(case.events.select_related("unit"))
    assert len(events) > 8
    with django_assert_max_num_queries(2):  # old rows' memberships + the requests by id
        annotate(events)
    with django_assert_max_num_queries(1):  # the caller's requests: memberships only
        annotate(events, [request])
