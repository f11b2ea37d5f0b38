"""Merge into a candidate from the duplicates panel; batch actions on the case list;
access keys; the timeline's truth on the case page."""

import pytest
from django.urls import reverse

from civicloop.cases import actions
from civicloop.cases.models import Case, CaseEvent, CaseRequest, State

from .conftest import make_cases

pytestmark = pytest.mark.django_db


def _act(client, case, name, **fields):
    data = {f"{name}-{k}": v for k, v in fields.items()}
    return client.post(reverse("console:case_act", args=[case.pk, name]), data)


def _advance(loop, case, to):
    from civicloop.cases.tests.loop_helpers import advance

    return advance(loop, case, to)


def test_duplicates_panel_offers_merge_into_each_candidate(client_for, loop):
    first, second, third = make_cases(loop, 3)
    leader = client_for("shift_leader")
    page = leader.get(reverse("console:case", args=[third.pk]))
    html = page.content.decode()
    assert f'id="merge-into-{first.pk}"' in html and f'id="merge-into-{second.pk}"' in html
    form = next(f["form"] for f in page.context["action_forms"] if f["spec"].name == "merge")
    assert {pk for pk, _label in form.fields["target"].choices} == {first.pk, second.pk}
    # the button posts the candidate as the target (CSRF token included in the form)
    assert 'name="merge-target"' in html and "csrfmiddlewaretoken" in html
    response = _act(leader, third, "merge", version=third.version, target=second.pk)
    assert response.status_code == 302
    third.refresh_from_db()
    assert third.state == State.CANCELLED and third.duplicate_of_id == second.pk


def test_merge_target_must_be_a_candidate_or_a_valid_number(client_for, loop):
    first, second = make_cases(loop, 2)
    far = make_cases(loop, 1, point="east_point")[0]  # not a candidate (too far)
    leader = client_for("shift_leader")
    response = _act(leader, second, "merge", version=second.version, target=far.pk)
    assert response.status_code == 400  # not among the choices
    response = _act(leader, second, "merge", version=second.version, number="not-a-number")
    assert response.status_code == 400
    assert "is not a case number" in response.content.decode()
    response = _act(leader, second, "merge", version=second.version, number="E0102209901010001")
    assert response.status_code == 400 and "No case E0102209901010001" in response.context["error"]
    response = _act(leader, second, "merge", version=second.version)
    assert response.status_code == 400 and "Choose the case this one repeats" in (
        response.content.decode()
    )
    # a case not in the candidates, by its number
    response = _act(leader, second, "merge", version=second.version, number=far.number.lower())
    assert response.status_code == 302
    assert Case.objects.get(pk=second.pk).duplicate_of_id == far.pk
    assert Case.objects.get(pk=first.pk).state == State.REPORTED


def test_no_merge_once_handled_in_the_console(client_for, loop, photo):
    from civicloop.cases.tests.loop_helpers import advance

    first, second = make_cases(loop, 2)
    second = advance(loop, second, State.PENDING_CHECK, photo=photo)
    leader = client_for("shift_leader")
    page = leader.get(reverse("console:case", args=[second.pk]))
    assert "merge" not in [f["spec"].name for f in page.context["action_forms"]]
    assert not page.context["can_merge"] and b"merge-into-" not in page.content
    response = _act(leader, second, "merge", version=second.version, target=first.pk)
    assert response.status_code == 409
    assert Case.objects.get(pk=second.pk).state == State.PENDING_CHECK


def test_access_keys_on_the_case_page(client_for, loop):
    (case,) = make_cases(loop, 1)
    html = client_for("acceptor").get(reverse("console:case", args=[case.pk])).content.decode()
    assert 'accesskey="a"' in html and '<kbd class="key"' in html
    letters = [k[0] for k in html.split('accesskey="')[1:]]
    assert len(letters) == len(set(letters))  # never twice on one page


# --- batch ---------------------------------------------------------------------------


def _batch(client, action, cases, **fields):
    return client.post(reverse("console:case_batch"),
                       {"action": action, "cases": [c.pk for c in cases], **fields})  # fmt: skip


def test_batch_form_is_offered_by_role(client_for, loop):
    make_cases(loop, 1)
    dispatcher = client_for("dispatcher").get(reverse("console:cases"))
    assert [n for n, _l in dispatcher.context["batch"].fields["action"].choices] == ["dispatch"]
    leader = client_for("shift_leader").get(reverse("console:cases"))
    assert [n for n, _l in leader.context["batch"].fields["action"].choices] == [
        "merge", "assign_inspector"]  # fmt: skip
    assert b'data-check-all="cases"' in leader.content
    handler = client_for("handler_clean").get(reverse("console:cases"))
    assert handler.context["batch"] is None and b"batch-form" not in handler.content
    assert _batch(client_for("handler_clean"), "dispatch", []).status_code == 404
    # an action the role does not hold is not a choice
    response = _batch(client_for("dispatcher"), "merge", [])
    assert response.status_code == 400


def test_batch_dispatch_reports_each_case_and_refusals_keep_the_others(client_for, loop):
    a = loop["actors"]
    cases = make_cases(loop, 3)
    for case in cases[:2]:
        actions.accept_case(a["acceptor"], case)
        actions.file_case(a["shift_leader"], case)
    # cases[2] is still reported: dispatch is refused for it, the others go through
    response = _batch(client_for("dispatcher"), "dispatch", cases, unit=loop["cleaning"].pk,
                      note="批量派遣")  # fmt: skip
    assert response.status_code == 200
    outcomes = {o.pk: o for o in response.context["outcomes"]}
    assert [outcomes[c.pk].ok for c in cases] == [True, True, False]
    assert "can only be done when it is" in outcomes[cases[2].pk].message
    assert response.context["done"] == 2 and response.context["refused"] == 1
    for case in cases[:2]:
        case.refresh_from_db()
        assert case.state == State.DISPATCHED and case.unit_id == loop["cleaning"].pk
    assert Case.objects.get(pk=cases[2].pk).state == State.REPORTED
    html = response.content.decode()
    assert 'id="batch-summary"' in html and "2 done, 1 refused." in html


def test_batch_dispatch_to_another_unit_than_suggested_needs_the_reason(client_for, loop):
    a = loop["actors"]
    cases = make_cases(loop, 2)
    for case in cases:
        actions.accept_case(a["acceptor"], case)
        actions.file_case(a["shift_leader"], case)
    other = loop["offices"]["west"]
    assert all(case.proposed_unit_id != other.pk for case in cases)
    dispatcher = client_for("dispatcher")
    response = _batch(dispatcher, "dispatch", cases, unit=other.pk)
    assert [o.ok for o in response.context["outcomes"]] == [False, False]
    assert all(Case.objects.get(pk=c.pk).state == State.PENDING_DISPATCH for c in cases)
    response = _batch(dispatcher, "dispatch", cases, unit=other.pk, reason="街道统一处置")
    assert [o.ok for o in response.context["outcomes"]] == [True, True]
    event = CaseEvent.objects.filter(case=cases[0], action="dispatch").get()
    assert event.data["override_reason"] == "街道统一处置"


def test_batch_merge_several_into_one(client_for, loop, photo):
    from civicloop.cases.tests.loop_helpers import advance

    target, one, two, handled = make_cases(loop, 4)
    handled = advance(loop, handled, State.PENDING_CHECK, photo=photo)
    response = _batch(client_for("shift_leader"), "merge", [one, two, handled, target],
                      into=target.number)  # fmt: skip
    outcomes = {o.pk: o for o in response.context["outcomes"]}
    assert outcomes[one.pk].ok and outcomes[two.pk].ok
    assert "already been handled" in outcomes[handled.pk].message
    assert "merged into itself" in outcomes[target.pk].message
    assert set(Case.objects.filter(duplicate_of=target).values_list("pk", flat=True)) == {
        one.pk, two.pk}  # fmt: skip
    # a target that does not exist refuses every row, changing nothing
    response = _batch(client_for("shift_leader"), "merge", [target], into="E0102209901010001")
    assert [o.ok for o in response.context["outcomes"]] == [False]


def test_batch_assign_and_bad_input(client_for, loop):
    cases = make_cases(loop, 2)
    leader = client_for("shift_leader")
    inspector2 = loop["users"]["inspector2"]
    response = _batch(leader, "assign_inspector", cases, inspector=inspector2.pk)
    assert all(o.ok for o in response.context["outcomes"])
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases])
               .values_list("assigned_inspector_id", flat=True)) == {inspector2.pk}  # fmt: skip
    assert _batch(leader, "assign_inspector", cases).status_code == 400  # no inspector
    assert _batch(leader, "assign_inspector", []).status_code == 400  # nothing ticked
    bad = leader.post(reverse("console:case_batch"), {"action": "merge", "cases": ["x1"],
                                                      "into": cases[0].number})  # fmt: skip
    assert bad.status_code == 400
    # a case outside the user's scope is refused like a missing one (no 500, nothing changed)
    response = _batch(leader, "merge", [], into=cases[0].number)
    assert response.status_code == 400
    response = leader.post(reverse("console:case_batch"),
                           {"action": "merge", "cases": [cases[1].pk, 99999999],
                            "into": cases[0].number})  # fmt: skip
    outcomes = {o.pk: o for o in response.context["outcomes"]}
    assert outcomes[cases[1].pk].ok and not outcomes[99999999].ok


def test_batch_refuses_a_case_changed_since_the_list_showed_it(client_for, loop):
    cases = make_cases(loop, 2)
    leader = client_for("shift_leader")
    listed = leader.get(reverse("console:cases")).content.decode()
    assert f'value="{cases[0].pk}:{cases[0].version}"' in listed
    inspector, inspector2 = loop["users"]["inspector"], loop["users"]["inspector2"]
    # someone assigns the first case after the list was shown
    _batch(leader, "assign_inspector", cases[:1], inspector=inspector.pk)
    response = leader.post(reverse("console:case_batch"), {
        "action": "assign_inspector", "inspector": inspector2.pk,
        "cases": [f"{c.pk}:{c.version}" for c in cases],
    })  # fmt: skip
    outcomes = {o.pk: o for o in response.context["outcomes"]}
    assert not outcomes[cases[0].pk].ok and "changed" in outcomes[cases[0].pk].message
    assert outcomes[cases[1].pk].ok
    assert Case.objects.get(pk=cases[0].pk).assigned_inspector_id == inspector.pk
    bad = leader.post(reverse("console:case_batch"), {
        "action": "assign_inspector", "inspector": inspector2.pk, "cases": [f"{cases[1].pk}:x"],
    })  # fmt: skip
    assert bad.status_code == 400


def test_batch_queries_are_bounded_per_case(client_for, loop):
    a = loop["actors"]
    cases = make_cases(loop, 6)
    for case in cases:
        actions.accept_case(a["acceptor"], case)
        actions.file_case(a["shift_leader"], case)
    dispatcher = client_for("dispatcher")
    dispatcher.get(reverse("console:cases"))  # sessions and caches warm
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two:
        _batch(dispatcher, "dispatch", cases[:2], unit=loop["cleaning"].pk)
    with CaptureQueriesContext(connection) as four:
        _batch(dispatcher, "dispatch", cases[2:], unit=loop["cleaning"].pk)
    # Four cases cost the fixed part plus a fixed number per case (load, write, history,
    # the unit's notice), as two do: nothing grows with the size of the batch otherwise.
    per_case = (len(four) - len(two)) / 2
    assert 0 < per_case <= 15, per_case
    assert len(two) - 2 * per_case <= 12  # the fixed part: session, user, scope, one load


# --- the timeline on the case page -------------------------------------------------------


def test_case_page_timeline_tells_the_truth(client_for, loop, dispatched):
    a = loop["actors"]
    actions.sign_case(a["handler_clean"], dispatched)
    actions.request_extension(a["handler_clean"], dispatched, hours=8, reason="吊车明天才到")
    request = CaseRequest.objects.get(case=dispatched, kind="extension")
    response = client_for("dispatcher").post(
        reverse("console:decide_request", args=[request.pk, "approve"]),
        {"note": "只批4小时", "hours": "4"},
    )
    assert response.status_code == 302
    page = client_for("dispatcher").get(reverse("console:case", args=[dispatched.pk]))
    html = page.content.decode()
    events = {e.action: e for e in page.context["events"]}
    approved = events[CaseEvent.Action.APPROVE_EXTENSION]
    assert approved.note == "只批4小时" and approved.actor_unit_name == loop["centre"].name
    assert html.count("asked 8 h · granted 4 h") >= 3  # request row, decision row, request panel
    timeline = html[html.index('id="timeline"') : html.index("</ol>", html.index('id="timeline"'))]
    assert "吊车明天才到" in timeline and "只批4小时" in timeline
    assert '<span class="actor-unit">指挥中心</span>' in timeline
    assert "(handling unit: 环卫清扫公司)" in timeline
    requests_page = client_for("dispatcher").get(reverse("console:requests") + "?status=approved")
    assert "asked 8 h · granted 4 h" in requests_page.content.decode()


def test_case_page_queries_do_not_grow_with_the_timeline(client_for, loop, dispatched,
                                                         django_assert_max_num_queries):  # fmt: skip
    a = loop["actors"]
    viewer = client_for("dispatcher")
    url = reverse("console:case", args=[dispatched.pk])
    viewer.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        viewer.get(url)
    actions.sign_case(a["handler_clean"], dispatched)
    for hours in (2, 3):
        actions.request_extension(a["handler_clean"], dispatched, hours=hours, reason="x")
        request = CaseRequest.objects.get(case=dispatched, kind="extension", status="pending")
        actions.approve_extension(a["dispatcher"], request, hours=1, note="y")
    for _i in range(4):  # rows without a recorded actor unit (as before it was recorded)
        CaseEvent.objects.create(case=dispatched, at=dispatched.updated_at,
                                 actor=loop["users"]["handler_clean"], role="handler",
                                 action=CaseEvent.Action.REMIND)  # fmt: skip
    with django_assert_max_num_queries(len(before) + 1):  # + the old rows' memberships
        viewer.get(url)
