"""Intake round trips (issue #16): an API report and an Open311 POST stay within
7 queries once a process knows the token, the catalogue and the rules; a change
made elsewhere (another process, the admin) is seen through the version counters."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicloop.api.actions import revoke_token
from civicloop.api.models import ApiToken
from civicloop.cases.models import Case
from civicloop.core import memo
from civicloop.core.tests.memos import elsewhere
from civicloop.org.models import ResponsibilityRule

from .test_report import body

MAX_INTAKE_QUERIES = 7


def _sql(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_api_intake_within_seven_queries(api, loop):
    client = api("inspector")
    assert client.post("/api/cases", body(loop)).status_code == 201  # the process learns
    lon, lat = loop["west_point"]
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/cases", body(loop, lon=lon + 0.0005))
    assert response.status_code == 201, response.content
    sql = _sql(queries)
    assert len(sql) <= MAX_INTAKE_QUERIES, "\n".join(sql)
    data = response.json()
    case = Case.objects.get(pk=data["id"])
    # Routing, deadline, duplicate search, numbering and history are all kept.
    assert data["proposed_unit"]["code"] == "HW" and case.due_at and case.number
    assert case.events.get().data["possible_duplicates"]  # the first report is 50 m away


def test_rule_change_in_another_process_reroutes(api, loop, settings):
    """A process learns of a change it did not make itself through the counter."""
    client = api("inspector")
    assert client.post("/api/cases", body(loop)).json()["proposed_unit"]["code"] == "HW"
    # "Another process" deactivates the rule: no signal here, only its counter moves.
    ResponsibilityRule.objects.filter(unit__code="HW").update(is_active=False)
    elsewhere("org.routing")
    settings.MEMO_CHECK_SECONDS = 0
    lon, lat = loop["west_point"]
    data = client.post("/api/cases", body(loop, lon=lon + 0.002)).json()
    assert (data["proposed_unit"] or {}).get("code") != "HW"


def test_saving_in_this_process_is_seen_at_once(api, loop):
    client = api("inspector")
    assert client.post("/api/cases", body(loop)).json()["proposed_unit"]["code"] == "HW"
    for rule in ResponsibilityRule.objects.filter(unit__code="HW"):
        rule.is_active = False
        rule.save()  # the admin's way: the signal bumps the counter
    data = client.post("/api/cases", body(loop)).json()
    assert (data["proposed_unit"] or {}).get("code") != "HW"


def test_revoked_token_is_refused_at_once(api, loop):
    client = api("inspector")
    assert client.get("/api/me").status_code == 200
    revoke_token(ApiToken.objects.get())
    assert client.get("/api/me").status_code == 401


def test_token_revoked_by_another_process(api, loop, settings):
    client = api("inspector")
    assert client.get("/api/me").status_code == 200
    ApiToken.objects.update(revoked=True)  # no signal: "another process"
    assert client.get("/api/me").status_code == 200  # not yet known here
    elsewhere("api.tokens")
    memo.forget()  # as if MEMO_CHECK_SECONDS had passed
    assert client.get("/api/me").status_code == 401


def test_deactivated_membership_drops_the_role(api, loop):
    client = api("inspector")
    assert client.post("/api/cases", body(loop)).status_code == 201
    for membership in loop["users"]["inspector"].person.memberships.all():
        membership.is_active = False
        membership.save()
    assert client.post("/api/cases", body(loop)).status_code == 403


def test_a_sign_in_does_not_drop_the_tokens(api, loop):
    from django.utils import timezone

    from civicloop.core.models import MemoVersion

    client = api("inspector")
    assert client.get("/api/me").status_code == 200
    before = MemoVersion.objects.get(name="api.tokens").version
    user = loop["users"]["inspector"]
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])  # what a console sign-in writes
    assert MemoVersion.objects.get(name="api.tokens").version == before
    user.first_name = "X"
    user.save()
    assert MemoVersion.objects.get(name="api.tokens").version == before + 1
