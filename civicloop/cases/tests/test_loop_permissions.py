"""Every transition, allowed and refused, per role and scope.

For each action the table names the users who may do it on a case of the
west street (patrol area of ``inspector``, handled by the west street
office). Everybody else is refused with Forbidden and nothing changes; an
allowed user in the wrong state is refused with InvalidState.
"""

import pytest

from civicloop.cases import actions
from civicloop.cases.models import Case, CaseRequest, State
from civicloop.cases.permissions import visible_cases

from .loop_helpers import advance, pending, report

pytestmark = pytest.mark.django_db

USERS = ["inspector", "inspector2", "acceptor", "shift_leader", "dispatcher", "supervisor",
         "admin_role", "handler_west", "leader_west", "handler_east", "handler_clean", "road_chief"]  # fmt: skip
CENTRE_INTAKE = {"acceptor", "shift_leader", "admin_role"}
UNIT_WEST = {"handler_west", "leader_west", "admin_role"}


def at_state(loop, state, photo):
    case = report(loop, category="E0101")
    if state == State.VERIFYING:
        return actions.send_for_verification(loop["actors"]["acceptor"], case)
    if state == State.SUSPENDED:
        case = advance(loop, case, State.IN_PROGRESS)
        request = actions.request_suspension(loop["actors"]["handler_west"], case, reason="施工")
        return actions.approve_suspension(loop["actors"]["dispatcher"], request)
    return advance(loop, case, state, photo=photo)


def with_request(kind):
    def make(loop, photo):
        case = advance(loop, report(loop, category="E0101"), State.IN_PROGRESS)
        handler = loop["actors"]["handler_west"]
        if kind == "return":
            return actions.request_return(handler, case, reason="r")
        if kind == "extension":
            return actions.request_extension(handler, case, hours=4, reason="r")
        if kind == "suspension":
            return actions.request_suspension(handler, case, reason="r")
        if kind == "void":
            return actions.request_void(loop["actors"]["acceptor"], case, reason="test")
        raise AssertionError(kind)

    return make


def reopen_request(loop, photo):
    case = advance(loop, report(loop, category="E0101"), State.CLOSED, photo=photo)
    actions.rate_case(case, level=1)
    return pending(case, CaseRequest.Kind.REOPEN)


def supervision_order(loop, photo):
    case = advance(loop, report(loop, category="E0101"), State.DISPATCHED)
    return actions.issue_supervision(loop["actors"]["supervisor"], case, opinion="尽快处置")


def state(s):
    return lambda loop, photo: at_state(loop, s, photo)


TABLE = [
    ("accept", state(State.REPORTED), lambda a, c, lp, p: actions.accept_case(a, c), CENTRE_INTAKE),
    ("send_for_verification", state(State.REPORTED),
     lambda a, c, lp, p: actions.send_for_verification(a, c), CENTRE_INTAKE),
    ("refuse reported", state(State.REPORTED),
     lambda a, c, lp, p: actions.refuse_case(a, c, reason="不属于城管范围"), CENTRE_INTAKE),
    ("verify", state(State.VERIFYING),
     lambda a, c, lp, p: actions.verify_case(a, c, true_report=True), {"inspector", "admin_role"}),
    ("file", state(State.PENDING_FILING), lambda a, c, lp, p: actions.file_case(a, c),
     {"shift_leader", "admin_role"}),
    ("refuse at filing", state(State.PENDING_FILING),
     lambda a, c, lp, p: actions.refuse_case(a, c, reason="不符合立案条件"), {"shift_leader", "admin_role"}),
    ("dispatch", state(State.PENDING_DISPATCH), lambda a, c, lp, p: actions.dispatch_case(a, c),
     {"dispatcher", "admin_role"}),
    ("sign", state(State.DISPATCHED), lambda a, c, lp, p: actions.sign_case(a, c), UNIT_WEST),
    ("submit_result", state(State.IN_PROGRESS),
     lambda a, c, lp, p: actions.submit_result(a, c, photos=[p()]), UNIT_WEST),
    ("request_return", state(State.IN_PROGRESS),
     lambda a, c, lp, p: actions.request_return(a, c, reason="r"), UNIT_WEST),
    ("request_extension", state(State.IN_PROGRESS),
     lambda a, c, lp, p: actions.request_extension(a, c, hours=2, reason="r"), UNIT_WEST),
    ("request_suspension", state(State.IN_PROGRESS),
     lambda a, c, lp, p: actions.request_suspension(a, c, reason="r"), UNIT_WEST),
    ("approve_return", with_request("return"), lambda a, r, lp, p: actions.approve_return(a, r),
     {"dispatcher", "admin_role"}),
    ("reject_return", with_request("return"), lambda a, r, lp, p: actions.reject_return(a, r),
     {"dispatcher", "admin_role"}),
    ("approve_extension", with_request("extension"),
     lambda a, r, lp, p: actions.approve_extension(a, r), {"dispatcher", "admin_role"}),
    ("reject_extension", with_request("extension"),
     lambda a, r, lp, p: actions.reject_extension(a, r), {"dispatcher", "admin_role"}),
    ("approve_suspension", with_request("suspension"),
     lambda a, r, lp, p: actions.approve_suspension(a, r), {"dispatcher", "admin_role"}),
    ("reject_suspension", with_request("suspension"),
     lambda a, r, lp, p: actions.reject_suspension(a, r), {"dispatcher", "admin_role"}),
    ("resume", state(State.SUSPENDED), lambda a, c, lp, p: actions.resume_case(a, c),
     {"dispatcher", "admin_role"}),
    ("check pass", state(State.PENDING_CHECK),
     lambda a, c, lp, p: actions.check_case(a, c, passed=True), {"inspector", "admin_role"}),
    ("check fail", state(State.PENDING_CHECK),
     lambda a, c, lp, p: actions.check_case(a, c, passed=False, note="未整改"), {"inspector", "admin_role"}),
    ("close", state(State.PENDING_CLOSURE), lambda a, c, lp, p: actions.close_case(a, c),
     {"shift_leader", "admin_role"}),
    ("request_void", state(State.PENDING_DISPATCH),
     lambda a, c, lp, p: actions.request_void(a, c, reason="测试数据"),
     {"acceptor", "dispatcher", "shift_leader", "inspector", "admin_role"}),
    ("approve_void", with_request("void"), lambda a, r, lp, p: actions.approve_void(a, r),
     {"shift_leader", "admin_role"}),
    ("reject_void", with_request("void"), lambda a, r, lp, p: actions.reject_void(a, r),
     {"shift_leader", "admin_role"}),
    ("assign_inspector", state(State.REPORTED),
     lambda a, c, lp, p: actions.assign_inspector(a, c, inspector=lp["users"]["inspector2"]),
     {"acceptor", "shift_leader", "admin_role"}),
    ("supervise", state(State.DISPATCHED),
     lambda a, c, lp, p: actions.issue_supervision(a, c, opinion="请加快"),
     {"supervisor", "shift_leader", "admin_role"}),
    ("reply_supervision", supervision_order,
     lambda a, o, lp, p: actions.reply_supervision(a, o, reply="已安排"), UNIT_WEST),
    ("merge", state(State.REPORTED),
     lambda a, c, lp, p: actions.merge_case(a, c, into=report(lp, category="E0101")),
     {"shift_leader", "admin_role"}),
    ("approve_reopen", reopen_request, lambda a, r, lp, p: actions.approve_reopen(a, r),
     {"shift_leader", "admin_role"}),
    ("reject_reopen", reopen_request, lambda a, r, lp, p: actions.reject_reopen(a, r),
     {"shift_leader", "admin_role"}),
    ("add_evidence", state(State.IN_PROGRESS),
     lambda a, c, lp, p: actions.add_evidence(a, c, photos=[p()]),
     {"inspector", "acceptor", "shift_leader", "dispatcher", "supervisor", "admin_role",
      "handler_west", "leader_west"}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "make", "act", "allowed"), TABLE, ids=[row[0] for row in TABLE])
def test_who_may_do_what(loop, photo, name, make, act, allowed):
    for username in USERS:
        target = make(loop, photo)
        case_id = target.pk if isinstance(target, Case) else target.case_id
        version = Case.objects.get(pk=case_id).version
        actor = loop["actors"][username]
        if username in allowed:
            act(actor, target, loop, photo)
            assert Case.objects.get(pk=case_id).version > version, (name, username)
        else:
            with pytest.raises(actions.Forbidden):
                act(actor, target, loop, photo)
            assert Case.objects.get(pk=case_id).version == version, (name, username)


WRONG_STATE = [
    ("accept", State.PENDING_FILING, "acceptor", lambda a, c, p: actions.accept_case(a, c)),
    ("verify", State.REPORTED, "inspector", lambda a, c, p: actions.verify_case(a, c, true_report=True)),
    ("file", State.REPORTED, "shift_leader", lambda a, c, p: actions.file_case(a, c)),
    ("dispatch", State.DISPATCHED, "dispatcher", lambda a, c, p: actions.dispatch_case(a, c)),
    ("sign", State.IN_PROGRESS, "handler_west", lambda a, c, p: actions.sign_case(a, c)),
    ("submit", State.DISPATCHED, "handler_west",
     lambda a, c, p: actions.submit_result(a, c, photos=[p()])),
    ("check", State.IN_PROGRESS, "inspector", lambda a, c, p: actions.check_case(a, c, passed=True)),
    ("close", State.PENDING_CHECK, "shift_leader", lambda a, c, p: actions.close_case(a, c)),
    ("resume", State.IN_PROGRESS, "dispatcher", lambda a, c, p: actions.resume_case(a, c)),
    ("return", State.PENDING_CHECK, "handler_west",
     lambda a, c, p: actions.request_return(a, c, reason="r")),
    ("void closed", State.CLOSED, "shift_leader",
     lambda a, c, p: actions.request_void(a, c, reason="r")),
    ("refuse dispatched", State.DISPATCHED, "shift_leader",
     lambda a, c, p: actions.refuse_case(a, c, reason="r")),
]  # fmt: skip


@pytest.mark.parametrize(("name", "state_", "username", "act"), WRONG_STATE,
                         ids=[row[0] for row in WRONG_STATE])  # fmt: skip
def test_actions_in_the_wrong_state_are_refused_with_a_reason(
    loop, photo, name, state_, username, act
):
    case = at_state(loop, state_, photo)
    with pytest.raises(actions.InvalidState) as error:
        act(loop["actors"][username], case, photo)
    assert case.get_state_display() in error.value.message


def test_available_actions_match_the_roles(loop, photo):
    case = at_state(loop, State.IN_PROGRESS, photo)
    names = actions.available_actions(loop["actors"]["handler_west"], case)
    assert {"submit_result", "request_return", "request_extension", "request_suspension"} <= set(
        names
    )
    assert actions.available_actions(loop["actors"]["handler_east"], case) == []
    assert "dispatch" not in actions.available_actions(loop["actors"]["dispatcher"], case)


def test_visibility_by_role_and_scope(loop):
    west = advance(loop, report(loop, category="E0101"), State.DISPATCHED)  # west office
    east = advance(
        loop,
        report(loop, category="E0101", where="east_point", source="hotline", by="acceptor"),
        State.DISPATCHED,
    )
    garbage_west = advance(loop, report(loop, category="E0102"), State.DISPATCHED)  # cleaning co.
    lon, lat = 113.603, 34.70502  # on road section 1
    on_road = actions.report_case(loop["actors"]["acceptor"], source="hotline", category="E0101",
                                  lon=lon, lat=lat)  # fmt: skip
    seen = {
        name: set(visible_cases(loop["actors"][name]).values_list("pk", flat=True))
        for name in USERS
    }
    everything = {west.pk, east.pk, garbage_west.pk, on_road.pk}
    for name in ("acceptor", "shift_leader", "dispatcher", "supervisor", "admin_role"):
        assert seen[name] == everything, name
    # its unit's cases, and as a street office every case in its street
    assert seen["handler_west"] == {west.pk, garbage_west.pk, on_road.pk}
    assert seen["handler_east"] == {east.pk}
    assert seen["handler_clean"] == {garbage_west.pk}
    assert seen["inspector"] == {west.pk, garbage_west.pk, on_road.pk}  # patrol area
    assert seen["inspector2"] == set()
    assert seen["road_chief"] == {on_road.pk}
