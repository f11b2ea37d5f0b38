"""Case-page forms: only the available actions, conflicts, validation, decisions."""

import pytest
from django.urls import reverse

from civicloop.cases import actions
from civicloop.cases.models import Case, CaseRequest, SupervisionOrder

pytestmark = pytest.mark.django_db


def _act(client, case, name, **fields):
    data = {f"{name}-{k}": v for k, v in fields.items()}
    return client.post(reverse("console:case_act", args=[case.pk, name]), data)


def test_only_available_actions_are_shown(client_for, reported):
    page = client_for("acceptor").get(reverse("console:case", args=[reported.pk]))
    shown = [f["spec"].name for f in page.context["action_forms"]]
    assert shown[:3] == ["accept", "send_for_verification", "refuse"]
    assert "dispatch" not in shown and "close" not in shown
    html = page.content.decode()
    assert 'id="form-accept"' in html and 'id="form-dispatch"' not in html
    page = client_for("handler_clean").get(reverse("console:case", args=[reported.pk]))
    assert page.status_code == 404  # not dispatched to them yet


def test_accept_then_a_stale_form_is_a_clear_conflict(client_for, reported):
    acceptor = client_for("acceptor")
    response = _act(acceptor, reported, "accept", version=reported.version, note="ok")
    assert response.status_code == 302
    assert Case.objects.get(pk=reported.pk).state == "pending_filing"
    # the same (now stale) form posted again
    again = _act(acceptor, reported, "accept", version=reported.version)
    assert again.status_code == 409
    assert "Someone else changed this case" in again.context["error"]


def test_stale_version_on_an_available_action_is_refused_by_the_action(client_for, reported, loop):
    leader = client_for("shift_leader")
    actions.accept_case(loop["actors"]["acceptor"], reported)
    reported.refresh_from_db()
    actions.assign_inspector(loop["actors"]["acceptor"], reported,
                             inspector=loop["users"]["inspector2"])  # fmt: skip
    response = _act(leader, reported, "file", version=reported.version,
                    category=reported.small_class_id, urgency="normal")  # fmt: skip
    assert response.status_code == 409
    assert "Reload it and try again" in response.context["error"]
    assert Case.objects.get(pk=reported.pk).state == "pending_filing"


def test_invalid_form_keeps_input_and_explains(client_for, reported):
    response = _act(client_for("acceptor"), reported, "refuse", version=reported.version, reason="")
    assert response.status_code == 400
    assert response.context["action_forms"][2]["form"].errors["reason"]
    assert Case.objects.get(pk=reported.pk).state == "reported"


def test_failed_check_needs_a_note(client_for, dispatched, loop, photo):
    a = loop["actors"]
    actions.sign_case(a["handler_clean"], dispatched)
    actions.submit_result(a["handler_clean"], dispatched, photos=[photo()])
    dispatched.refresh_from_db()
    response = _act(client_for("inspector"), dispatched, "check", version=dispatched.version,
                    passed="0", note="")  # fmt: skip
    assert response.status_code == 400
    assert Case.objects.get(pk=dispatched.pk).state == "pending_check"


def test_submit_result_without_photo_names_the_field(client_for, dispatched, loop):
    actions.sign_case(loop["actors"]["handler_clean"], dispatched)
    dispatched.refresh_from_db()
    response = _act(client_for("handler_clean"), dispatched, "submit_result",
                    version=dispatched.version, note="done")  # fmt: skip
    assert response.status_code == 400
    forms = {f["spec"].name: f["form"] for f in response.context["action_forms"]}
    assert forms["submit_result"].errors["photos"]


def test_extension_request_and_dispatcher_decision(client_for, dispatched, loop):
    handler = client_for("handler_clean")
    actions.sign_case(loop["actors"]["handler_clean"], dispatched)
    dispatched.refresh_from_db()
    deadline = dispatched.handling_deadline
    response = _act(handler, dispatched, "request_extension", version=dispatched.version,
                    hours="4", reason="暴雨")  # fmt: skip
    assert response.status_code == 302
    request = CaseRequest.objects.get(case=dispatched, kind="extension")
    dispatcher = client_for("dispatcher")
    home = dispatcher.get(reverse("console:home"))
    assert request in home.context["decisions"][0]["rows"]
    # the hours granted can be lowered, not raised above what was asked
    assert 'name="hours" step="0.5" min="0.5" max="4.00" value="4.00"' in home.content.decode()
    # a handler cannot decide (the action refuses; the page says why)
    handler.post(reverse("console:decide_request", args=[request.pk, "approve"]), {"note": ""})
    assert CaseRequest.objects.get(pk=request.pk).status == "pending"
    dispatcher.post(reverse("console:decide_request", args=[request.pk, "approve"]),
                    {"note": "同意", "hours": "2"})  # fmt: skip
    request.refresh_from_db()
    assert request.status == "approved" and request.granted_hours == 2
    assert Case.objects.get(pk=dispatched.pk).handling_deadline > deadline


def test_supervision_order_issued_and_answered(client_for, dispatched):
    supervisor = client_for("supervisor")
    response = _act(supervisor, dispatched, "supervise", version=dispatched.version,
                    opinion="请今天处理完", reply_hours="4")  # fmt: skip
    assert response.status_code == 302
    order = SupervisionOrder.objects.get(case=dispatched)
    listing = supervisor.get(reverse("console:supervision"))
    assert order in list(listing.context["page"])
    handler = client_for("handler_clean")
    assert handler.get(reverse("console:home")).context["orders"] == [order]
    reply = reverse("console:supervision_reply", args=[order.pk])
    for text, message in (("", "Write a reply."), ("x" * 2001, "at most 2000 characters")):
        page = handler.post(reply, {"reply": text}, follow=True)
        assert message in " ".join(str(m) for m in page.context["messages"])
    assert SupervisionOrder.objects.get(pk=order.pk).status == "open"
    handler.post(reverse("console:supervision_reply", args=[order.pk]), {"reply": "已安排"})
    order.refresh_from_db()
    assert order.status == "replied" and order.reply == "已安排"


def test_merge_duplicate(client_for, loop):
    from .conftest import make_cases

    first, second = make_cases(loop, 2)
    leader = client_for("shift_leader")
    home = leader.get(reverse("console:home"))
    merge = next(q for q in home.context["queues"] if q["key"] == "merge")
    assert {c.pk for c in merge["rows"]} == {first.pk, second.pk}
    page = leader.get(reverse("console:case", args=[second.pk]))
    assert [c.pk for c, _d in page.context["duplicates"]] == [first.pk]
    response = _act(leader, second, "merge", version=second.version, target=first.pk)
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.state == "cancelled" and second.duplicate_of_id == first.pk


def test_hotline_form_registers_a_call(client_for, loop):
    from civicloop.cases.models import SmallClass

    c = client_for("acceptor")
    lon, lat = loop["east_point"]
    page = c.get(reverse("console:hotline"))
    assert page.context["form"].allowed_sources == ["hotline"]
    data = {"source": "hotline", "category": SmallClass.objects.get(full_code="E0201").pk,
            "urgency": "normal", "lon": lon, "lat": lat, "description": "电线杆小广告",
            "reporter_name": "李女士", "reporter_phone": "13900000000"}  # fmt: skip
    response = c.post(reverse("console:hotline"), data)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/cases/{case.pk}/")
    assert (case.source, case.reporter_name, case.state) == ("hotline", "李女士", "reported")
    # outside the district: refused with the reason, nothing written
    response = c.post(reverse("console:hotline"), {**data, "lon": 100.0, "lat": 30.0})
    assert response.status_code == 400 and "outside the district" in response.context["error"]
    assert Case.objects.count() == 1
    # a handler has no intake form
    assert client_for("handler_clean").get(reverse("console:report")).status_code == 404


def test_inspector_report_page(client_for, loop, photo):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from civicloop.cases.models import SmallClass

    lon, lat = loop["west_point"]
    c = client_for("inspector")
    response = c.post(reverse("console:report"), {
        "source": "inspector", "category": SmallClass.objects.get(full_code="E0102").pk,
        "urgency": "normal", "lon": lon, "lat": lat, "description": "垃圾",
        "photos": [SimpleUploadedFile("a.jpg", photo(), "image/jpeg")],
    })  # fmt: skip
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.source == "inspector" and case.evidence.count() == 1
    response = c.post(reverse("console:report"), {
        "source": "inspector", "category": SmallClass.objects.get(full_code="E0102").pk,
        "urgency": "normal", "lon": lon, "lat": lat, "description": "垃圾",
        "photos": [SimpleUploadedFile("a.jpg", b"not an image", "image/jpeg")],
    })  # fmt: skip
    assert response.status_code == 400 and Case.objects.count() == 1
