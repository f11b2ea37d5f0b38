"""The home's stage queues: the rule table's stages per role, counted in one query;
the red list only for the user's own stages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civicloop.cases import actions
from civicloop.cases.models import Case, State
from civicloop.console import queries

from .conftest import make_cases

pytestmark = pytest.mark.django_db


def _dispatch(loop, case):
    a = loop["actors"]
    actions.accept_case(a["acceptor"], case)
    actions.file_case(a["shift_leader"], case)
    actions.dispatch_case(a["dispatcher"], case)
    case.refresh_from_db()
    return case


def _late(case):
    Case.objects.filter(pk=case.pk).update(
        light="red", due_at=timezone.now() - datetime.timedelta(hours=1)
    )


def test_stages_come_from_the_rule_table(loop):
    a = loop["actors"]
    assert list(queries.my_stages(a["handler_clean"])) == [State.DISPATCHED, State.IN_PROGRESS]
    assert list(queries.my_stages(a["inspector"])) == [State.VERIFYING, State.PENDING_CHECK]
    assert list(queries.my_stages(a["dispatcher"])) == [State.PENDING_DISPATCH, State.SUSPENDED]
    assert State.PENDING_CLOSURE in queries.my_stages(a["shift_leader"])
    assert list(queries.my_stages(a["supervisor"])) == []


def test_handler_sees_sign_queue_first_and_only_its_own_lateness(client_for, loop, photo):
    a = loop["actors"]
    new, handling, closing = (_dispatch(loop, c) for c in make_cases(loop, 3))
    actions.sign_case(a["handler_clean"], handling)
    actions.sign_case(a["handler_clean"], closing)
    actions.submit_result(a["handler_clean"], closing, photos=[photo()])
    actions.check_case(a["inspector"], closing, passed=True, photos=[photo()])
    closing.refresh_from_db()
    assert closing.state == State.PENDING_CLOSURE and closing.unit_id == loop["cleaning"].pk
    _late(handling)
    _late(closing)  # the centre's lateness: not the unit's

    home = client_for("handler_clean").get(reverse("console:home"))
    queues = {q["key"]: q for q in home.context["queues"]}
    assert [q["key"] for q in home.context["queues"]] == ["sign", "handle", "red"]
    assert [c.pk for c in queues["sign"]["rows"]] == [new.pk]
    assert queues["sign"]["count"] == 1 and queues["handle"]["count"] == 1
    assert queues["handle"]["red"] == 1
    assert [c.pk for c in queues["red"]["rows"]] == [handling.pk]
    assert queues["red"]["count"] == 1
    html = home.content.decode()
    assert html.index('id="queue-sign"') < html.index('id="queue-handle"')
    assert 'id="stage-sign"' in html

    shift = client_for("shift_leader").get(reverse("console:home"))
    queues = {q["key"]: q for q in shift.context["queues"]}
    assert [c.pk for c in queues["red"]["rows"]] == [closing.pk]
    assert queues["close"]["count"] == 1 and queues["close"]["red"] == 1


def test_inspector_queues_are_their_areas_and_assignments(client_for, loop):
    a = loop["actors"]
    case = make_cases(loop, 1)[0]
    actions.send_for_verification(a["acceptor"], case)
    mine = {
        q["key"]: q for q in client_for("inspector").get(reverse("console:home")).context["queues"]
    }
    assert [c.pk for c in mine["verify"]["rows"]] == [case.pk]
    other = {
        q["key"]: q for q in client_for("inspector2").get(reverse("console:home")).context["queues"]
    }
    assert other["verify"]["count"] == 0


def test_stage_counts_are_one_query(loop):
    make_cases(loop, 3)
    for actor in ("shift_leader", "handler_clean", "inspector"):
        with CaptureQueriesContext(connection) as ctx:
            queries.stage_counts(loop["actors"][actor])
        assert len(ctx.captured_queries) == 1, actor


@pytest.mark.parametrize("username", ["shift_leader", "dispatcher", "handler_clean", "inspector"])
def test_home_queries_do_not_grow_with_cases(client_for, loop, username):
    client = client_for(username)
    counts = []
    for n in (3, 15):
        cases = make_cases(loop, n)
        for case in cases[: n // 3]:
            _dispatch(loop, case)
        for case in cases[n // 3 : 2 * n // 3]:
            actions.accept_case(loop["actors"]["acceptor"], case)
            _late(case)
        client.get(reverse("console:home"))  # warm the session and caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("console:home")).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
