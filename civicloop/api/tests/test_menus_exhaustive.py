"""What the faces offer is what succeeds: every role × state × scope of a small fixture.

For each staff user of the loop fixture and each case (every state, in two
scopes: the west street inside the inspector's patrol area, and the east street
outside any patrol area with a case assigned to the second inspector), the
actions the console's case page shows and the API's ``actions`` list are
exactly those that succeed when tried (each tried with valid input inside a
rolled-back savepoint), and every refused one says why. The same for the
decisions on pending requests (the console's decision buttons, the API's
``can_decide``).
"""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.test import Client

from civicloop.cases import actions
from civicloop.cases.models import Case, CaseRequest, State
from civicloop.cases.rules import MENU_KINDS, RULES
from civicloop.cases.tests.loop_helpers import advance, handler_for, report

pytestmark = pytest.mark.django_db

STAFF = [
    "inspector", "inspector2", "acceptor", "shift_leader", "dispatcher", "supervisor",
    "admin_role", "handler_west", "leader_west", "handler_east", "handler_clean", "road_chief",
]  # fmt: skip
MENU = sorted(
    {RULES[n].data.get("offers", n) for n in RULES.names() if RULES[n].kind in MENU_KINDS}
)


class Rollback(Exception):
    pass


def _build(loop, photo) -> dict[tuple[str, str], Case]:
    """A case in every state, in both scopes."""
    a = loop["actors"]
    cases = {}
    for scope, where in (("west", "west_point"), ("east", "east_point")):

        def fresh(where=where, scope=scope, **kwargs):
            case = report(loop, where=where, by="acceptor", source="hotline", **kwargs)
            if scope == "east":
                case = actions.assign_inspector(
                    a["shift_leader"], case, inspector=loop["users"]["inspector2"]
                )
            return case

        for state in (State.REPORTED, State.PENDING_FILING, State.PENDING_DISPATCH,
                      State.DISPATCHED, State.IN_PROGRESS, State.PENDING_CHECK,
                      State.PENDING_CLOSURE, State.CLOSED):  # fmt: skip
            case = advance_to(loop, fresh(), state, photo)
            cases[scope, state] = case
        cases[scope, State.VERIFYING] = actions.send_for_verification(a["acceptor"], fresh())
        cases[scope, State.CANCELLED] = actions.refuse_case(a["acceptor"], fresh(), reason="测试")
        case = advance_to(loop, fresh(), State.IN_PROGRESS, photo)
        req = actions.request_suspension(a[handler_for(loop, case)], case, reason="工程")
        cases[scope, State.SUSPENDED] = actions.approve_suspension(a["dispatcher"], req)
    for (scope, state), case in cases.items():
        case.refresh_from_db()
        assert case.state == state, (scope, state, case.state)
    return cases


def advance_to(loop, case, state, photo):
    if state == State.PENDING_CHECK or state in (State.PENDING_CLOSURE, State.CLOSED):
        case = advance(loop, case, State.PENDING_CHECK, photo=photo)
        if state == State.PENDING_CHECK:
            return case
        case = actions.check_case(loop["actors"]["admin_role"], case, passed=True)
        if state == State.CLOSED:
            case = actions.close_case(loop["actors"]["shift_leader"], case)
        return case
    return advance(loop, case, state, photo=photo)


def _inputs(loop, photo, target) -> dict:
    """Valid input for each menu action (what a user would type)."""
    return {
        "accept": {}, "send_for_verification": {}, "verify": {"true_report": True, "note": "属实"},
        "refuse": {"reason": "不予受理"}, "file": {}, "dispatch": {}, "sign": {},
        "submit_result": {"photos": [photo()], "note": "已处置"},
        "request_return": {"reason": "非本单位"}, "request_extension": {"hours": 4, "reason": "需要时间"},
        "request_suspension": {"reason": "工程"}, "resume": {}, "check": {"passed": True},
        "close": {}, "assign_inspector": {"inspector": loop["users"]["inspector2"]},
        "merge": {"into": target}, "request_void": {"reason": "测试"},
        "supervise": {"opinion": "请加快处置", "reply_hours": 8},
        "add_evidence": {"photos": [photo()]},
    }  # fmt: skip


def _succeeds(function, *args, **kwargs) -> str:
    """ "" when the call succeeds (rolled back), else the refusal."""
    try:
        with transaction.atomic():
            function(*args, **kwargs)
            raise Rollback
    except Rollback:
        return ""
    except actions.ActionError as error:
        assert error.message, f"{function.__name__} refused without saying why"
        return error.message


def test_what_the_console_and_the_api_offer_is_what_succeeds(loop, photo, api):
    cases = _build(loop, photo)
    target = report(loop, by="acceptor", source="hotline", category="E0102")  # merge target
    inputs = _inputs(loop, photo, target)
    assert set(inputs) == {*MENU, "add_evidence"}
    checked, ever = 0, set()
    for username in STAFF:
        actor = loop["actors"][username]
        console = Client()
        console.force_login(loop["users"][username])
        client = api(username)
        for (scope, state), case in cases.items():
            case.refresh_from_db()
            page = console.get(f"/console/cases/{case.pk}/")
            detail = client.get(f"/api/cases/{case.pk}")
            if page.status_code == 404:  # out of scope: nothing is offered, nothing succeeds
                assert detail.status_code == 404, (username, scope, state)
                offered_console = offered_api = set()
            else:
                assert page.status_code == 200 and detail.status_code == 200
                offered_console = set(re.findall(r'id="form-([a-z_]+)"', page.content.decode()))
                offered_api = set(detail.json()["actions"])
            succeeded, refused = set(), {}
            for name in inputs:
                why = _succeeds(actions.action(name), actor, case, **inputs[name])
                if why:
                    refused[name] = why
                else:
                    succeeded.add(name)
                checked += 1
            where = (username, scope, state)
            assert offered_console == succeeded - {"add_evidence"}, (where, refused)
            assert offered_api == succeeded, (where, refused)
            assert all(refused.values())
            ever |= succeeded
    assert checked == len(STAFF) * len(cases) * len(inputs)
    assert ever == set(inputs)  # every action succeeded somewhere: the test can fail


def _pending(case, kind) -> CaseRequest:
    return CaseRequest.objects.create(case=case, kind=kind, unit_id=case.unit_id, reason="测试",
                                      hours=4 if kind == "extension" else None,
                                      requested_at=case.updated_at)  # fmt: skip


def test_the_decisions_offered_are_the_ones_that_succeed(loop, photo, api):
    cases = _build(loop, photo)
    kinds_in = {
        State.DISPATCHED: ("return", "extension", "suspension", "void"),
        State.IN_PROGRESS: ("return", "extension", "suspension", "void"),
        State.SUSPENDED: ("extension", "void"),
        State.PENDING_CHECK: ("return", "void"),  # a request the submission did not lapse
        State.REPORTED: ("void",),
        State.CLOSED: ("reopen",),
    }
    requests = []
    for (_scope, state), case in cases.items():
        for kind in kinds_in.get(state, ()):
            requests.append(_pending(case, kind))
    assert {r.kind for r in requests} == set(CaseRequest.Kind.values)
    verdicts = set()
    for username in STAFF:
        actor = loop["actors"][username]
        client = api(username)
        for req in requests:
            req.refresh_from_db()
            detail = client.get(f"/api/cases/{req.case_id}")
            offered = set(
                actions.decisions_for(
                    actor, CaseRequest.objects.select_related("case").get(pk=req.pk)
                )
            )
            succeeded = set()
            for verdict in ("approve", "reject"):
                why = _succeeds(actions.decision(req.kind, verdict), actor, req.pk)
                if not why:
                    succeeded.add(verdict)
            where = (username, req.kind, req.case.state)
            assert offered == succeeded, where
            verdicts |= {(req.kind, v, req.case.state) for v in succeeded}
            if detail.status_code == 200:
                (shown,) = [r for r in detail.json()["pending_requests"] if r["id"] == req.pk]
                assert shown["can_decide"] is bool(succeeded), where
    for kind in CaseRequest.Kind.values:
        assert (kind, "approve") in {(k, v) for k, v, _s in verdicts}, kind
    # approving needs a state where it takes effect; rejecting does not
    assert ("return", "reject", State.PENDING_CHECK) in verdicts
    assert ("return", "approve", State.PENDING_CHECK) not in verdicts
