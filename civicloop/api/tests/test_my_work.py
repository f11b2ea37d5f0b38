"""GET /api/my-work: what each role should act on now."""

from civicloop.cases import actions as acts

from .conftest import pending_request


def ids(response):
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_queues_by_role(api, case_in, loop):
    cases = {state: case_in(state) for state in (
        "reported", "verifying", "pending_filing", "pending_dispatch", "dispatched",
        "in_progress", "pending_check", "pending_closure", "closed", "suspended")}  # fmt: skip
    c = {state: case.pk for state, case in cases.items()}
    assert ids(api("acceptor").get("/api/my-work")) == {c["reported"]}
    assert ids(api("inspector").get("/api/my-work")) == {c["verifying"], c["pending_check"]}
    assert ids(api("inspector2").get("/api/my-work")) == set()
    assert ids(api("shift_leader").get("/api/my-work")) == {
        c["reported"], c["pending_filing"], c["pending_closure"]}  # fmt: skip
    assert ids(api("dispatcher").get("/api/my-work")) == {c["pending_dispatch"], c["suspended"]}
    assert ids(api("handler_clean").get("/api/my-work")) == {c["dispatched"], c["in_progress"]}
    assert ids(api("handler_east").get("/api/my-work")) == set()


def test_requests_and_orders_bring_cases_into_queues(api, case_in, loop):
    in_progress = case_in("in_progress")
    closed = case_in("closed")
    extension = pending_request(loop, in_progress, "extension")
    reopen = pending_request(loop, closed, "reopen")
    data = api("dispatcher").get("/api/my-work").json()
    (item,) = data["items"]
    assert item["id"] == in_progress.pk
    assert item["pending_requests"][0]["id"] == extension.pk
    assert item["pending_requests"][0]["can_decide"] is True
    shift = api("shift_leader").get("/api/my-work").json()["items"]
    assert [i["id"] for i in shift] == [closed.pk]
    assert shift[0]["pending_requests"][0]["id"] == reopen.pk
    # a supervision order on a case the unit already works on, and one on a handled case
    pending_check = case_in("pending_check")
    acts.issue_supervision(loop["actors"]["supervisor"], pending_check, opinion="why so slow")
    assert ids(api("handler_clean").get("/api/my-work")) == {in_progress.pk, pending_check.pk}


def test_items_carry_light_deadline_and_actions(api, case_in):
    case = case_in("in_progress")
    (item,) = api("handler_clean").get("/api/my-work").json()["items"]
    assert item["light"] == "green"
    assert item["due_at"] and item["handling_deadline"]
    assert "submit_result" in item["actions"] and "request_extension" in item["actions"]
    assert item["version"] == case.version


def test_my_work_is_paginated_most_urgent_first(api, case_in):
    first = case_in("reported")
    second = case_in("reported")
    third = case_in("reported")
    page1 = api("acceptor").get("/api/my-work", {"page_size": 2}).json()
    assert page1["count"] == 3 and page1["pages"] == 2 and len(page1["items"]) == 2
    page2 = api("acceptor").get("/api/my-work", {"page_size": 2, "page": 2}).json()
    order = [i["id"] for i in page1["items"] + page2["items"]]
    assert order == [first.pk, second.pk, third.pk]
    bad = api("acceptor").get("/api/my-work", {"page_size": 1000})
    assert bad.status_code == 400 and bad.json()["field"] == "page_size"
