"""Pages cost the same number of queries whatever the number of cases."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civicloop.cases import actions

from .conftest import make_cases

pytestmark = pytest.mark.django_db


def _queries(client, url, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return len(captured)


PAGES = [
    ("console:cases", {}),
    ("console:cases", {"state": "open", "sort": "due"}),
    ("console:dashboard", {}),
    ("console:map_cases", {}),
    ("console:map_streets", {}),
    ("console:home", {}),
    ("console:requests", {}),
    ("console:supervision", {}),
]


@pytest.mark.parametrize("username", ["acceptor", "shift_leader", "dispatcher", "inspector",
                                      "handler_west"])  # fmt: skip
def test_lists_dashboard_and_map_are_constant(client_for, loop, username):
    make_cases(loop, 2)
    c = client_for(username)
    for n, p in PAGES:  # warm the per-process caches (street shapes, calendar)
        c.get(reverse(n), p)
    before = {f"{n}{p}": _queries(c, reverse(n), **p) for n, p in PAGES}
    make_cases(loop, 8)
    make_cases(loop, 3, point="east_point", category="E0201")
    after = {f"{n}{p}": _queries(c, reverse(n), **p) for n, p in PAGES}
    assert after == before


def test_dashboard_has_a_fixed_budget(client_for, loop, django_assert_max_num_queries):
    make_cases(loop, 5)
    c = client_for("dispatcher")
    with django_assert_max_num_queries(12):
        assert c.get(reverse("console:dashboard")).status_code == 200
    with django_assert_max_num_queries(12):
        assert c.get(reverse("console:cases")).status_code == 200


def test_case_detail_is_constant_in_history_and_photos(client_for, loop, photo):
    lon, lat = loop["west_point"]
    a = loop["actors"]

    def case_with(n_photos):
        case = actions.report_case(a["inspector"], source="inspector", category="E0102",
                                   lon=lon, lat=lat, photos=[photo() for _ in range(n_photos)])  # fmt: skip
        actions.accept_case(a["acceptor"], case)
        actions.file_case(a["shift_leader"], case)
        actions.dispatch_case(a["dispatcher"], case)
        return case

    short = case_with(1)
    long = case_with(3)
    for case in (short, long):
        actions.sign_case(a["handler_clean"], case)
    actions.request_extension(a["handler_clean"], long, hours=2, reason="x")
    actions.issue_supervision(a["supervisor"], long, opinion="快")
    actions.issue_supervision(a["supervisor"], long, opinion="再快")
    actions.submit_result(a["handler_clean"], long, photos=[photo(), photo()])
    actions.check_case(a["inspector"], long, passed=False, note="没弄好")
    actions.request_extension(a["handler_clean"], short, hours=2, reason="x")
    actions.issue_supervision(a["supervisor"], short, opinion="快")
    for username in ("dispatcher", "handler_clean", "shift_leader"):
        c = client_for(username)
        # warm per-process caches (catalogue, calendar) so only the page counts
        c.get(reverse("console:case", args=[short.pk]))
        assert _queries(c, reverse("console:case", args=[short.pk])) == _queries(
            c, reverse("console:case", args=[long.pk])
        ), username
    c = client_for("dispatcher")
    with CaptureQueriesContext(connection) as captured:
        c.get(reverse("console:case", args=[long.pk]))
    assert len(captured) <= 16


def test_decision_queues_are_constant_in_requests(client_for, loop):
    a = loop["actors"]

    def dispatched_case():
        case = make_cases(loop, 1)[0]
        actions.accept_case(a["acceptor"], case)
        actions.file_case(a["shift_leader"], case)
        actions.dispatch_case(a["dispatcher"], case)
        actions.sign_case(a["handler_clean"], case)
        return case

    def add_requests(n):
        for _ in range(n):
            case = dispatched_case()
            actions.request_extension(a["handler_clean"], case, hours=2, reason="雨")
            actions.request_void(a["dispatcher"], case, reason="测试")

    add_requests(1)
    pages = [("dispatcher", "console:home"), ("shift_leader", "console:home"),
             ("dispatcher", "console:requests"), ("handler_clean", "console:requests")]  # fmt: skip
    clients = {u: client_for(u) for u, _ in pages}
    for u, name in pages:
        clients[u].get(reverse(name))
    before = [_queries(clients[u], reverse(name)) for u, name in pages]
    add_requests(3)
    assert [_queries(clients[u], reverse(name)) for u, name in pages] == before
