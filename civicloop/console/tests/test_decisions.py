"""Inline approve/reject forms are honest: only the decisions the user can take now."""

import pytest
from django.urls import reverse

from civicloop.cases import actions
from civicloop.cases.models import CaseRequest

pytestmark = pytest.mark.django_db


def _forms(html, request):
    approve = reverse("console:decide_request", args=[request.pk, "approve"])
    reject = reverse("console:decide_request", args=[request.pk, "reject"])
    return approve in html, reject in html


def test_void_request_overtaken_by_closure_can_only_be_rejected(
    client_for, dispatched, loop, photo
):
    a = loop["actors"]
    void = actions.request_void(a["dispatcher"], dispatched, reason="测试案件")
    pages = (reverse("console:home"), reverse("console:requests"),
             reverse("console:case", args=[dispatched.pk]))  # fmt: skip
    leader = client_for("shift_leader")
    for url in pages:
        assert _forms(leader.get(url).content.decode(), void) == (True, True), url
    # the case is handled and closed meanwhile: approving the void can no longer take effect
    actions.sign_case(a["handler_clean"], dispatched)
    actions.submit_result(a["handler_clean"], dispatched, photos=[photo()])
    actions.check_case(a["inspector"], dispatched, passed=True)
    actions.close_case(a["shift_leader"], dispatched)
    assert CaseRequest.objects.get(pk=void.pk).status == "pending"  # closing does not settle it
    for url in pages:
        html = leader.get(url).content.decode()
        assert _forms(html, void) == (False, True), url
        assert "this request can only be rejected" in html, url
    # rejecting it clears it from the queue
    leader.post(reverse("console:decide_request", args=[void.pk, "reject"]), {"note": ""})
    assert CaseRequest.objects.get(pk=void.pk).status == "rejected"


def test_requests_are_shown_without_forms_to_those_who_cannot_decide(client_for, dispatched, loop):
    a = loop["actors"]
    actions.sign_case(a["handler_clean"], dispatched)
    request = actions.request_extension(a["handler_clean"], dispatched, hours=4, reason="雨天")
    void = actions.request_void(a["dispatcher"], dispatched, reason="测试案件")
    for username in ("handler_clean", "handler_west", "shift_leader"):
        c = client_for(username)
        for url in (reverse("console:home"), reverse("console:requests"),
                    reverse("console:case", args=[dispatched.pk])):  # fmt: skip
            assert _forms(c.get(url).content.decode(), request) == (False, False), (username, url)
    # the dispatcher asked for the void but only a shift leader decides it
    html = client_for("dispatcher").get(reverse("console:requests")).content.decode()
    assert _forms(html, void) == (False, False)
    html = client_for("shift_leader").get(reverse("console:home")).content.decode()
    assert _forms(html, void) == (True, True)
