"""Duplicates are offered and merged; an unsatisfied rating leads to re-handling."""

import pytest

from civicloop.cases import actions
from civicloop.cases.models import CancelReason, CaseFollower, CaseRequest, State

from .loop_helpers import advance, handler_for, pending, report

pytestmark = pytest.mark.django_db


def test_a_duplicate_is_found_and_merged(loop):
    first = report(loop, category="E0102")
    lon, lat = loop["west_point"]
    second = report(loop, category="E0102", where="west_point")
    event = second.events.get(action="report")
    assert event.data["possible_duplicates"] == [first.pk]
    found = actions.find_duplicates(second.small_class_id, lon + 0.0003, lat, exclude_id=second.pk)
    assert [c.pk for c, _d in found] == [first.pk] and found[0][1] < 50
    assert actions.find_duplicates(second.small_class_id, lon + 0.002, lat) == []  # ~180 m away
    follower = actions.follow_case(second, email="r@example.org")

    a = loop["actors"]
    with pytest.raises(actions.Forbidden):
        actions.merge_case(a["acceptor"], second, into=first)
    with pytest.raises(actions.Invalid):
        actions.merge_case(a["shift_leader"], second, into=second)
    second = actions.merge_case(a["shift_leader"], second, into=first, note="重复上报")
    assert second.state == State.CANCELLED and second.cancel_reason == CancelReason.MERGED
    assert second.duplicate_of == first
    assert first.events.filter(action="absorb", data__duplicate=second.pk).exists()
    assert CaseFollower.objects.get(pk=follower.pk).case == first
    with pytest.raises(actions.InvalidState):
        actions.merge_case(a["shift_leader"], first, into=second)  # merged case is not open


def test_unsatisfied_rating_reopens_for_the_same_unit(loop, photo):
    case = advance(loop, report(loop, category="E0102"), State.CLOSED, photo=photo)
    unit = case.unit
    with pytest.raises(actions.Invalid):
        actions.rate_case(case, level=6)
    rating = actions.rate_case(case, level=1, reason="垃圾又堆起来了")
    assert rating.level == 1
    with pytest.raises(actions.InvalidState, match="already been rated"):
        actions.rate_case(case, level=5)
    request = pending(case, CaseRequest.Kind.REOPEN)
    a = loop["actors"]
    with pytest.raises(actions.Forbidden):
        actions.approve_reopen(a["dispatcher"], request)
    case = actions.approve_reopen(a["shift_leader"], request)
    assert case.state == State.DISPATCHED and case.unit == unit
    assert case.reopen_count == 1 and case.closed_at is None
    case = advance(loop, case, State.CLOSED, photo=photo)
    assert actions.rate_case(case, level=5).satisfied
    assert handler_for(loop, case) == "handler_clean"


def test_a_satisfied_rating_needs_no_decision(loop, photo):
    case = advance(loop, report(loop), State.CLOSED, photo=photo)
    actions.rate_case(case, level=4)
    assert not CaseRequest.objects.filter(case=case).exists()
    with pytest.raises(actions.InvalidState):
        actions.rate_case(report(loop), level=4)  # not closed


def test_following_again_with_the_same_contacts_changes_nothing(loop):
    case = report(loop)
    first = actions.follow_case(case, phone="13800000000")
    events = case.events.count()
    again = actions.follow_case(case, phone="13800000000")
    assert again.pk == first.pk
    assert CaseFollower.objects.filter(case=case).count() == 1
    assert case.events.count() == events  # no second history row
    other = actions.follow_case(case, phone="13900000000")
    assert other.pk != first.pk and CaseFollower.objects.filter(case=case).count() == 2
