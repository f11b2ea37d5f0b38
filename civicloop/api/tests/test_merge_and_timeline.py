"""The API refuses a merge once the case is handled, and its timeline tells who decided,
for which unit, with how many hours."""

import pytest

from civicloop.cases import actions as acts
from civicloop.cases.models import CaseRequest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("state", ["pending_check", "pending_closure"])
def test_merge_is_refused_once_handled(api, case_in, state):
    target = case_in("reported")
    handled = case_in(state)
    client = api("shift_leader")
    detail = client.get(f"/api/cases/{handled.pk}").json()
    assert "merge" not in detail["actions"]
    response = client.post(f"/api/cases/{handled.pk}/actions/merge", {"into": target.pk})
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "invalid_state"
    assert "already been handled" in response.json()["message"]
    zh = api("shift_leader", language="zh-hans").post(
        f"/api/cases/{handled.pk}/actions/merge", {"into": target.pk}
    )
    assert "已处置完毕" in zh.json()["message"]  # the refusal is translated
    handled.refresh_from_db()
    assert handled.state == state


def test_api_timeline_and_requests_show_granted_hours_and_actor_units(api, case_in, loop):
    case = case_in("in_progress")
    a = loop["actors"]
    request = acts.request_extension(a["handler_clean"], case, hours=8, reason="吊车明天才到")
    acts.request_return(a["handler_clean"], case, reason="不归我们")
    acts.approve_extension(a["dispatcher"], request, hours=4, note="只批4小时")
    data = api("dispatcher").get(f"/api/cases/{case.pk}").json()
    rows = {e["action"]: e for e in data["timeline"]}
    approved = rows["approve_extension"]
    assert approved["note"] == "只批4小时"
    assert approved["hours_label"] == "asked 8 h · granted 4 h"
    assert rows["request_extension"]["hours_label"] == "asked 8 h · granted 4 h"
    assert rows["request_extension"]["note"] == "吊车明天才到"
    assert approved["actor_unit"] == {"id": loop["centre"].pk, "name": loop["centre"].name}
    assert approved["unit"]["id"] == loop["cleaning"].pk  # the handling unit the step concerns
    assert rows["sign"]["actor_unit"]["id"] == loop["cleaning"].pk
    (pending,) = data["pending_requests"]
    assert pending["kind"] == CaseRequest.Kind.RETURN and pending["hours_label"] == ""
