"""Approving and rejecting requests (return, extension, suspension, void, reopen) and
replying to supervision orders through the API."""

import pytest

from civicloop.cases import actions as acts
from civicloop.cases.models import CaseRequest, SupervisionOrder

from .conftest import pending_request

# kind, state of the case, who decides, state after approval
KINDS = [
    ("return", "in_progress", "dispatcher", "pending_dispatch"),
    ("extension", "in_progress", "dispatcher", "in_progress"),
    ("suspension", "in_progress", "dispatcher", "suspended"),
    ("void", "in_progress", "shift_leader", "cancelled"),
    ("reopen", "closed", "shift_leader", "dispatched"),
]


@pytest.mark.parametrize("kind, state, decider, after", KINDS, ids=[k[0] for k in KINDS])
def test_approve(api, case_in, loop, kind, state, decider, after):
    case = case_in(state)
    request = pending_request(loop, case, kind)
    response = api(decider).post(f"/api/requests/{request.pk}/approve", {"note": "ok"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["request"]["status"] == "approved"
    request.refresh_from_db()
    case.refresh_from_db()
    assert request.status == "approved" and case.state == after


@pytest.mark.parametrize("kind, state, decider, after", KINDS, ids=[k[0] for k in KINDS])
def test_reject(api, case_in, loop, kind, state, decider, after):
    case = case_in(state)
    request = pending_request(loop, case, kind)
    response = api(decider).post(f"/api/requests/{request.pk}/reject", {"note": "no"})
    assert response.status_code == 200, response.content
    request.refresh_from_db()
    assert request.status == "rejected" and request.decision_note == "no"
    assert CaseRequest.objects.get(pk=request.pk).case.state == state


@pytest.mark.parametrize("kind, state, decider, after", KINDS, ids=[k[0] for k in KINDS])
def test_wrong_role_is_forbidden(api, case_in, loop, kind, state, decider, after):
    case = case_in(state)
    request = pending_request(loop, case, kind)
    other = "shift_leader" if decider == "dispatcher" else "dispatcher"
    response = api(other).post(f"/api/requests/{request.pk}/approve", {})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    request.refresh_from_db()
    assert request.status == "pending"


def test_extension_granted_with_fewer_hours(api, case_in, loop):
    case = case_in("in_progress")
    request = pending_request(loop, case, "extension")
    response = api("dispatcher").post(f"/api/requests/{request.pk}/approve", {"hours": 2})
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.granted_hours == 2


def test_second_decision_is_refused(api, case_in, loop):
    case = case_in("in_progress")
    request = pending_request(loop, case, "return")
    client = api("dispatcher")
    assert client.post(f"/api/requests/{request.pk}/approve", {}).status_code == 200
    response = client.post(f"/api/requests/{request.pk}/approve", {})
    assert response.status_code == 409 and response.json()["code"] == "invalid_state"
    assert client.post(f"/api/requests/{request.pk}/reject", {}).status_code == 409


def test_request_of_an_unseen_case_is_404(api, case_in, loop):
    case = case_in("in_progress")
    request = pending_request(loop, case, "extension")
    response = api("handler_east").post(f"/api/requests/{request.pk}/approve", {})
    assert response.status_code == 404
    assert api("dispatcher").post("/api/requests/999999/reject", {}).status_code == 404


def test_reply_to_a_supervision_order(api, case_in, loop):
    case = case_in("in_progress")
    order = acts.issue_supervision(loop["actors"]["supervisor"], case, opinion="hurry")
    response = api("handler_clean").post(f"/api/supervision-orders/{order.pk}/reply",
                                         {"reply": "done by noon"})  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["order"]["status"] == "replied"
    order.refresh_from_db()
    assert order.status == SupervisionOrder.Status.REPLIED and order.reply == "done by noon"
    again = api("handler_clean").post(f"/api/supervision-orders/{order.pk}/reply", {"reply": "x"})
    assert again.status_code == 409


def test_supervision_reply_refused(api, case_in, loop):
    case = case_in("in_progress")
    order = acts.issue_supervision(loop["actors"]["supervisor"], case, opinion="hurry")
    # another unit cannot see the case at all
    assert api("handler_east").post(f"/api/supervision-orders/{order.pk}/reply",
                                    {"reply": "x"}).status_code == 404  # fmt: skip
    # the dispatcher sees the case but the order is not addressed to them
    response = api("dispatcher").post(f"/api/supervision-orders/{order.pk}/reply", {"reply": "x"})
    assert response.status_code == 403
    # a reply is required
    response = api("handler_clean").post(f"/api/supervision-orders/{order.pk}/reply", {})
    assert response.status_code == 400 and response.json()["field"] == "reply"
    assert api("handler_clean").post("/api/supervision-orders/999999/reply",
                                     {"reply": "x"}).status_code == 404  # fmt: skip
