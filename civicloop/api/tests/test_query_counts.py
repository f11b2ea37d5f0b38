"""The list, my-work and detail endpoints use as many queries for 30 cases as for 3,
and the detail as many for a long timeline as for a short one."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicloop.cases import actions as acts


def count(client, path, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params)
    assert response.status_code == 200, response.content
    return len(queries.captured_queries)


def test_list_and_my_work_constant(api, case_in, loop):
    for _ in range(3):
        case_in("in_progress")
    dispatcher = api("dispatcher")
    handler = api("handler_clean")
    dispatcher.get("/api/cases")  # first use of the token records last_used
    handler.get("/api/my-work")
    few = {
        "list": count(dispatcher, "/api/cases", {"page_size": 100}),
        "filtered": count(dispatcher, "/api/cases", {"state": "in_progress", "unit": "HW"}),
        "work": count(handler, "/api/my-work", {"page_size": 100}),
    }
    for index in range(27):
        case = case_in("in_progress")
        if index % 3 == 0:
            acts.request_extension(loop["actors"]["handler_clean"], case, hours=2, reason="x")
    many = {
        "list": count(dispatcher, "/api/cases", {"page_size": 100}),
        "filtered": count(dispatcher, "/api/cases", {"state": "in_progress", "unit": "HW"}),
        "work": count(handler, "/api/my-work", {"page_size": 100}),
    }
    assert many == few
    assert dispatcher.get("/api/cases", {"page_size": 100}).json()["count"] == 30
    assert len(handler.get("/api/my-work", {"page_size": 100}).json()["items"]) == 30


def test_dispatcher_work_with_requests_constant(api, case_in, loop):
    dispatcher = api("dispatcher")
    for _ in range(3):
        case = case_in("in_progress")
        acts.request_extension(loop["actors"]["handler_clean"], case, hours=2, reason="x")
    dispatcher.get("/api/my-work")
    few = count(dispatcher, "/api/my-work", {"page_size": 100})
    for _ in range(27):
        case = case_in("in_progress")
        acts.request_return(loop["actors"]["handler_clean"], case, reason="x")
    assert count(dispatcher, "/api/my-work", {"page_size": 100}) == few


def test_detail_constant_with_a_long_timeline(api, case_in, loop, photo):
    case = case_in("in_progress")
    client = api("handler_clean")
    client.get(f"/api/cases/{case.pk}")
    short = count(client, f"/api/cases/{case.pk}")
    handler, supervisor = loop["actors"]["handler_clean"], loop["actors"]["supervisor"]
    for index in range(15):
        acts.add_evidence(handler, case, photos=[photo()], note=f"photo {index}")
        order = acts.issue_supervision(supervisor, case, opinion=f"hurry {index}")
        acts.reply_supervision(handler, order, reply="on it")
    acts.request_extension(handler, case, hours=2, reason="x")
    acts.request_suspension(handler, case, reason="y")
    data = client.get(f"/api/cases/{case.pk}").json()
    assert len(data["timeline"]) > 50 and len(data["evidence"]) == 16
    assert len(data["supervision_orders"]) == 15 and len(data["pending_requests"]) == 2
    assert count(client, f"/api/cases/{case.pk}") == short + 1  # the orders: one query


def test_the_case_list_counts_up_to_its_limit(api, case_in, monkeypatch):
    from civicloop.api.endpoints import common

    for _ in range(4):
        case_in("in_progress")
    dispatcher = api("dispatcher")
    body = dispatcher.get("/api/cases", {"page_size": 2}).json()
    assert (body["count"], body["count_exact"], body["pages"]) == (4, True, 2)
    monkeypatch.setattr(common, "COUNT_LIMIT", 3)
    monkeypatch.setattr("civicloop.api.endpoints.cases.COUNT_LIMIT", 3)
    body = dispatcher.get("/api/cases", {"page_size": 2}).json()
    assert (body["count"], body["count_exact"], body["pages"]) == (3, False, 2)
    # the pages past the count are still served
    last = dispatcher.get("/api/cases", {"page_size": 2, "page": 2}).json()
    assert len(last["items"]) == 2
    assert dispatcher.get("/api/cases", {"page_size": 2, "page": 3}).json()["items"] == []
    # a filtered list under the limit is exact
    body = dispatcher.get("/api/cases", {"state": "closed"}).json()
    assert (body["count"], body["count_exact"]) == (0, True)


def test_list_and_detail_take_two_and_four_or_five_queries(api, case_in, loop):
    case = case_in("in_progress")
    dispatcher = api("dispatcher")
    dispatcher.get("/api/cases")
    dispatcher.get(f"/api/cases/{case.pk}")
    # count (at most the limit) and page; the case, its photos, pending requests and
    # history, and its supervision orders once it has any
    assert count(dispatcher, "/api/cases", {"page_size": 100}) == 2
    assert count(dispatcher, f"/api/cases/{case.pk}") == 4
    acts.issue_supervision(loop["actors"]["supervisor"], case, opinion="hurry")
    assert count(dispatcher, f"/api/cases/{case.pk}") == 5
