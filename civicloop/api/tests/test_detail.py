"""GET /api/cases/{id}: timeline, photos, requests, orders, actions; duplicates."""

from civicloop.cases import actions as acts
from civicloop.cases.models import CaseEvent, Evidence


def test_detail(api, case_in, loop):
    case = case_in("in_progress")
    request = acts.request_extension(loop["actors"]["handler_clean"], case, hours=3, reason="rain")
    order = acts.issue_supervision(loop["actors"]["supervisor"], case, opinion="hurry")
    response = api("handler_clean").get(f"/api/cases/{case.pk}")
    assert response.status_code == 200, response.content
    data = response.json()
    case.refresh_from_db()
    assert data["number"] == case.number and data["version"] == case.version
    assert data["state"] == "in_progress" and data["unit"]["code"] == "HW"
    events = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))
    assert [e["id"] for e in data["timeline"]] == [e.pk for e in events]
    assert [e["action"] for e in data["timeline"]][:5] == [
        "report", "accept", "file", "dispatch", "sign"]  # fmt: skip
    report = data["timeline"][0]
    evidence = Evidence.objects.get(case=case)
    assert report["evidence"] == [evidence.pk]
    assert data["evidence"][0]["original"] == f"/api/evidence/{evidence.pk}/original"
    assert data["evidence"][0]["thumbnail"] == f"/api/evidence/{evidence.pk}/thumbnail"
    assert [r["id"] for r in data["pending_requests"]] == [request.pk]
    assert data["pending_requests"][0]["can_decide"] is False
    assert [o["id"] for o in data["supervision_orders"]] == [order.pk]
    assert "submit_result" in data["actions"] and "add_evidence" in data["actions"]
    assert data["counts"]["supervision"] == 1
    assert data["limit"] and data["handling_deadline"]


def test_actions_follow_the_user(api, case_in):
    case = case_in("pending_dispatch")
    assert "dispatch" in api("dispatcher").get(f"/api/cases/{case.pk}").json()["actions"]
    assert "dispatch" not in api("shift_leader").get(f"/api/cases/{case.pk}").json()["actions"]


def test_unseen_and_missing_cases_answer_alike(api, case_in):
    case = case_in("in_progress")
    unseen = api("handler_east").get(f"/api/cases/{case.pk}")
    missing = api("handler_east").get("/api/cases/999999")
    assert unseen.status_code == missing.status_code == 404
    assert unseen.json() == missing.json()


def test_duplicates(api, case_in, loop):
    first = case_in("in_progress")
    second = case_in("reported")
    far = case_in("reported", point="east_point")
    response = api("shift_leader").get(f"/api/cases/{second.pk}/duplicates")
    assert response.status_code == 200
    found = [d["case"]["id"] for d in response.json()]
    assert found == [first.pk]
    assert response.json()[0]["distance_m"] == 0.0
    assert far.pk not in found
    assert api("handler_east").get(f"/api/cases/{second.pk}/duplicates").status_code == 404


def test_the_tracking_code_is_only_for_the_centre_staff_who_take_calls(loop, photo):
    """The tracking code lets a resident rate the result: the handling unit must not see it."""
    from django.test import Client

    from civicloop.api.actions import issue_token
    from civicloop.cases.tests.loop_helpers import advance, report

    case = advance(loop, report(loop), "dispatched")
    seen = {}
    for username in ("acceptor", "handler_west", "inspector"):
        issued = issue_token(loop["users"][username], name="t")
        key = issued[1] if isinstance(issued, tuple) else issued
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        answer = client.get(f"/api/cases/{case.pk}")
        assert answer.status_code == 200
        seen[username] = answer.json()["tracking_code"]
    assert seen == {"acceptor": case.tracking_code, "handler_west": None, "inspector": None}
    # (tests/test_privacy.py checks every role and every output)


def test_an_open311_account_follows_the_contact_rule(api, case_in):
    """``external_id`` (an Open311 app's account of the reporter) identifies them: it goes
    where their contacts go (the centre, the unit handling the case), nowhere else."""
    case = case_in("in_progress")
    case.external_id = "open311:1:resident-42"
    case.save(update_fields=["external_id"])
    seen = {}
    for who in ("dispatcher", "handler_clean", "leader_west"):
        response = api(who).get(f"/api/cases/{case.pk}")
        assert response.status_code == 200, who  # each of them sees the case
        seen[who] = response.json()["external_id"]
    assert seen["dispatcher"] == seen["handler_clean"] == "open311:1:resident-42"
    assert seen["leader_west"] is None  # the street office sees the case, not the account
