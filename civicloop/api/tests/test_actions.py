"""Every case action through POST /api/cases/{id}/actions/{name}: allowed and refused."""

import pytest

from civicloop.cases.models import Case, CaseRequest, Evidence, SupervisionOrder

# (action, starting state, user, body, with a photo, expected state)
HAPPY = [
    ("accept", "reported", "acceptor", {}, False, "pending_filing"),
    ("send_for_verification", "reported", "acceptor", {"inspector": "inspector"}, False, "verifying"),
    ("assign_inspector", "pending_check", "shift_leader", {"inspector": "inspector2"}, False, "pending_check"),
    ("verify", "verifying", "inspector", {"true_report": "true"}, True, "pending_filing"),
    ("refuse", "reported", "acceptor", {"reason": "not a city problem"}, False, "cancelled"),
    ("file", "pending_filing", "shift_leader", {"note": "ok"}, False, "pending_dispatch"),
    ("request_void", "in_progress", "dispatcher", {"reason": "test report"}, False, "in_progress"),
    ("dispatch", "pending_dispatch", "dispatcher", {}, False, "dispatched"),
    ("sign", "dispatched", "handler_clean", {}, False, "in_progress"),
    ("submit_result", "in_progress", "handler_clean", {"note": "cleaned"}, True, "pending_check"),
    ("check", "pending_check", "inspector", {"passed": "true"}, True, "pending_closure"),
    ("close", "pending_closure", "shift_leader", {}, False, "closed"),
    ("request_return", "in_progress", "handler_clean", {"reason": "not ours"}, False, "in_progress"),
    ("request_extension", "dispatched", "handler_clean", {"reason": "crane", "hours": "4"}, False, "dispatched"),
    ("request_suspension", "in_progress", "handler_clean", {"reason": "road works"}, False, "in_progress"),
    ("resume", "suspended", "dispatcher", {}, False, "dispatched"),
    ("supervise", "in_progress", "supervisor", {"opinion": "hurry up", "reply_hours": "4"}, False, "in_progress"),
    ("add_evidence", "in_progress", "handler_clean", {"kind": "other", "note": "more"}, True, "in_progress"),
]  # fmt: skip


@pytest.mark.parametrize("name, state, user, body, with_photo, expected", HAPPY,
                         ids=[h[0] for h in HAPPY])  # fmt: skip
def test_action_is_answered(api, case_in, photo, name, state, user, body, with_photo, expected):
    case = case_in(state)
    client = api(user)
    path = f"/api/cases/{case.pk}/actions/{name}"
    body = {**body, "version": case.version}
    if with_photo:
        response = client.post_form(path, body, photos=[photo()])
    else:
        response = client.post(path, body)
    assert response.status_code == 200, response.content
    data = response.json()
    case.refresh_from_db()
    assert case.state == expected
    assert case.version > body["version"]
    assert data["case"]["state"] == expected
    assert data["case"]["version"] == case.version
    assert data["case"]["timeline"][-1]["actor"] == user


def test_request_actions_return_the_request(api, case_in):
    case = case_in("in_progress")
    data = api("handler_clean").post(f"/api/cases/{case.pk}/actions/request_extension",
                                     {"reason": "crane", "hours": 6}).json()  # fmt: skip
    request = CaseRequest.objects.get(case=case)
    assert data["request"]["id"] == request.pk
    assert data["request"]["kind"] == "extension" and data["request"]["hours"] == "6.00"
    assert data["case"]["pending_requests"][0]["id"] == request.pk


def test_supervise_returns_the_order(api, case_in):
    case = case_in("in_progress")
    data = api("supervisor").post(f"/api/cases/{case.pk}/actions/supervise",
                                  {"opinion": "hurry"}).json()  # fmt: skip
    order = SupervisionOrder.objects.get(case=case)
    assert data["order"]["id"] == order.pk and data["order"]["status"] == "open"


def test_check_failed_goes_to_rework(api, case_in):
    case = case_in("pending_check")
    response = api("inspector").post_form(f"/api/cases/{case.pk}/actions/check",
                                          {"passed": "false", "note": "still dirty"})  # fmt: skip
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.state == "in_progress" and case.rework_count == 1


def test_dispatch_to_a_named_unit(api, case_in, loop):
    case = case_in("pending_dispatch")
    url = f"/api/cases/{case.pk}/actions/dispatch"
    # another unit than the suggestion: a reason is required (400 at the field), then kept
    refused = api("dispatcher").post(url, {"unit": "SW"})
    assert refused.status_code == 400
    assert refused.json()["field"] == "reason"
    response = api("dispatcher").post(url, {"unit": "SW", "reason": "西街道负责此路段"})
    assert response.status_code == 200
    assert response.json()["case"]["unit"]["code"] == "SW"
    event = case.events.get(action="dispatch")
    assert event.data["override_reason"] == "西街道负责此路段"
    assert event.data["proposed_unit"] == case.proposed_unit_id
    # the suggested unit needs no reason
    other = case_in("pending_dispatch")
    assert api("dispatcher").post(f"/api/cases/{other.pk}/actions/dispatch", {}).status_code == 200


def test_add_evidence_returns_new_ids(api, case_in, photo):
    case = case_in("in_progress")
    response = api("handler_clean").post_form(
        f"/api/cases/{case.pk}/actions/add_evidence", {"kind": "after"}, photos=[photo(), photo()]
    )
    ids = response.json()["evidence"]
    assert len(ids) == 2
    assert set(Evidence.objects.filter(pk__in=ids).values_list("kind", flat=True)) == {"after"}


def test_merge_a_duplicate(api, case_in):
    original = case_in("in_progress")
    duplicate = case_in("reported")
    response = api("shift_leader").post(f"/api/cases/{duplicate.pk}/actions/merge",
                                        {"into": original.pk, "note": "same pile"})  # fmt: skip
    assert response.status_code == 200, response.content
    duplicate.refresh_from_db()
    assert duplicate.state == "cancelled" and duplicate.duplicate_of_id == original.pk


# (action, starting state, user, body, with a photo, status, code, field)
REFUSED = [
    ("accept", "reported", "inspector", {}, False, 403, "forbidden", None),
    ("send_for_verification", "pending_filing", "acceptor", {}, False, 409, "invalid_state", None),
    ("assign_inspector", "pending_check", "inspector", {"inspector": "inspector2"}, False, 403, "forbidden", None),
    ("assign_inspector", "pending_check", "shift_leader", {"inspector": "nobody"}, False, 400, "invalid", "inspector"),
    ("verify", "reported", "inspector", {"true_report": "true"}, False, 409, "invalid_state", None),
    ("verify", "verifying", "inspector", {}, False, 400, "invalid", "true_report"),
    ("refuse", "reported", "acceptor", {}, False, 400, "invalid", "reason"),
    ("file", "pending_filing", "acceptor", {}, False, 403, "forbidden", None),
    ("file", "pending_filing", "shift_leader", {"category": "X9999"}, False, 400, "invalid", "category"),
    ("request_void", "in_progress", "handler_clean", {"reason": "x"}, False, 403, "forbidden", None),
    ("dispatch", "pending_dispatch", "shift_leader", {}, False, 403, "forbidden", None),
    ("dispatch", "pending_dispatch", "dispatcher", {"unit": "NOPE"}, False, 400, "invalid", "unit"),
    ("sign", "dispatched", "handler_east", {}, False, 404, "not_found", None),
    ("sign", "in_progress", "handler_clean", {}, False, 409, "invalid_state", None),
    ("submit_result", "in_progress", "handler_clean", {}, False, 400, "invalid", "photos"),
    ("submit_result", "in_progress", "handler_east", {}, True, 404, "not_found", None),
    ("check", "pending_check", "inspector", {"passed": "false"}, False, 400, "invalid", "note"),
    ("check", "pending_check", "inspector2", {"passed": "true"}, False, 404, "not_found", None),
    ("close", "pending_closure", "dispatcher", {}, False, 403, "forbidden", None),
    ("request_return", "in_progress", "handler_clean", {}, False, 400, "invalid", "reason"),
    ("request_return", "in_progress", "handler_east", {"reason": "x"}, False, 404, "not_found", None),
    ("request_extension", "in_progress", "handler_clean", {"reason": "x", "hours": "0"}, False, 400, "invalid", "hours"),
    ("request_extension", "in_progress", "handler_clean", {"reason": "x", "hours": "-3"}, False, 400, "invalid", "hours"),
    ("request_suspension", "closed", "handler_clean", {"reason": "x"}, False, 409, "invalid_state", None),
    ("resume", "in_progress", "dispatcher", {}, False, 409, "invalid_state", None),
    ("resume", "suspended", "handler_clean", {}, False, 403, "forbidden", None),
    ("supervise", "in_progress", "inspector", {"opinion": "x"}, False, 403, "forbidden", None),
    ("supervise", "reported", "supervisor", {"opinion": "x"}, False, 409, "invalid_state", None),
    ("merge", "reported", "acceptor", {"into": "another"}, False, 403, "forbidden", None),
    ("add_evidence", "closed", "handler_clean", {}, True, 409, "invalid_state", None),
    ("add_evidence", "in_progress", "handler_clean", {}, False, 400, "invalid", "photos"),
]  # fmt: skip


@pytest.mark.parametrize("name, state, user, body, with_photo, status, code, field", REFUSED,
                         ids=[f"{r[0]}-{r[2]}-{r[6]}" for r in REFUSED])  # fmt: skip
def test_action_is_refused(api, case_in, photo, name, state, user, body, with_photo, status, code,
                           field):  # fmt: skip
    if body.get("into") == "another":
        body = {**body, "into": case_in("in_progress").pk}
    case = case_in(state)
    before = (case.state, case.version)
    client = api(user)
    path = f"/api/cases/{case.pk}/actions/{name}"
    if with_photo:
        response = client.post_form(path, body, photos=[photo()])
    else:
        response = client.post(path, body)
    assert response.status_code == status, response.content
    data = response.json()
    assert data["code"] == code
    assert data["message"]
    if field is not None:
        assert data["field"] == field
    case.refresh_from_db()
    assert (case.state, case.version) == before


def test_merge_into_itself_or_unseen_case_is_refused(api, case_in):
    case = case_in("reported")
    client = api("shift_leader")
    response = client.post(f"/api/cases/{case.pk}/actions/merge", {"into": case.pk})
    assert response.status_code == 400 and response.json()["field"] == "into"
    response = client.post(f"/api/cases/{case.pk}/actions/merge", {"into": 999999})
    assert response.status_code == 400 and response.json()["field"] == "into"


def test_a_stale_version_is_a_conflict(api, case_in):
    case = case_in("reported")
    stale = case.version
    assert api("acceptor").post(f"/api/cases/{case.pk}/actions/accept",
                                {"version": stale}).status_code == 200  # fmt: skip
    response = api("shift_leader").post(f"/api/cases/{case.pk}/actions/refuse",
                                        {"reason": "dup", "version": stale})  # fmt: skip
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert Case.objects.get(pk=case.pk).state == "pending_filing"


def test_unknown_case_and_unknown_action(api):
    client = api("dispatcher")
    response = client.post("/api/cases/999999/actions/accept", {})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.post("/api/cases/1/actions/fly", {}).status_code == 404
