"""Scope: pages, fragments, JSON and files outside the user's cases are 404."""

import pytest
from django.urls import reverse

from civicloop.cases import actions
from civicloop.cases.models import CaseRequest, SupervisionOrder

pytestmark = pytest.mark.django_db


def test_anonymous_users_are_sent_to_sign_in(client, dispatched):
    for url in (reverse("console:home"), reverse("console:case", args=[dispatched.pk]),
                reverse("console:map_cases"), reverse("console:dashboard")):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302 and "/console/login/" in response["Location"]


def test_handler_of_another_unit_gets_404_everywhere(client_for, dispatched, loop):
    east = client_for("handler_east")  # east street office; the case is in the west street
    evidence = dispatched.evidence.first()
    assert east.get(reverse("console:case", args=[dispatched.pk])).status_code == 404
    assert east.post(reverse("console:case_act", args=[dispatched.pk, "sign"]),
                     {"sign-version": dispatched.version}).status_code == 404  # fmt: skip
    for variant in ("thumb", "public", "original"):
        assert east.get(reverse("console:evidence", args=[evidence.pk, variant])).status_code == 404
    assert east.get(reverse("console:map_cases")).json()["features"] == []
    listing = east.get(reverse("console:cases"))
    assert dispatched.number not in listing.content.decode()
    streets = east.get(reverse("console:map_streets")).json()["features"]
    assert all(f["properties"]["open"] == 0 for f in streets)
    dispatched.refresh_from_db()
    assert dispatched.state == "dispatched"


def test_street_office_sees_its_street_but_not_the_other(client_for, dispatched):
    # handled by the cleaning company, located in the west street
    west = client_for("handler_west")
    assert west.get(reverse("console:case", args=[dispatched.pk])).status_code == 200
    assert (
        client_for("handler_east").get(reverse("console:case", args=[dispatched.pk])).status_code
        == 404
    )


def test_handling_unit_sees_its_case_and_the_photos(client_for, dispatched):
    clean = client_for("handler_clean")
    assert clean.get(reverse("console:case", args=[dispatched.pk])).status_code == 200
    evidence = dispatched.evidence.first()
    response = clean.get(reverse("console:evidence", args=[evidence.pk, "thumb"]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_inspector_outside_the_patrol_area_gets_404(client_for, dispatched):
    assert (
        client_for("inspector2").get(reverse("console:case", args=[dispatched.pk])).status_code
        == 404
    )
    assert (
        client_for("inspector").get(reverse("console:case", args=[dispatched.pk])).status_code
        == 200
    )


def test_requests_and_orders_out_of_scope_are_404(client_for, dispatched, loop):
    a = loop["actors"]
    actions.sign_case(a["handler_clean"], dispatched)
    request = actions.request_extension(a["handler_clean"], dispatched, hours=4, reason="雨天")
    order = actions.issue_supervision(a["supervisor"], dispatched, opinion="尽快处理")
    east = client_for("handler_east")
    url = reverse("console:decide_request", args=[request.pk, "approve"])
    assert east.post(url, {"note": ""}).status_code == 404
    reply = reverse("console:supervision_reply", args=[order.pk])
    assert east.post(reply, {"reply": "x"}).status_code == 404
    assert CaseRequest.objects.get(pk=request.pk).status == "pending"
    assert SupervisionOrder.objects.get(pk=order.pk).status == "open"
    # nor do they show on the lists
    assert dispatched.number not in east.get(reverse("console:supervision")).content.decode()
    assert dispatched.number not in east.get(reverse("console:requests")).content.decode()


def test_unknown_case_and_action_are_404(client_for, dispatched):
    c = client_for("dispatcher")
    assert c.get(reverse("console:case", args=[999999])).status_code == 404
    assert c.post(reverse("console:case_act", args=[dispatched.pk, "explode"])).status_code == 404


def test_home_lists_no_order_on_a_case_the_unit_no_longer_sees(client_for, dispatched, loop):
    """An order of a case returned and re-dispatched elsewhere is not offered for a reply."""
    a = loop["actors"]
    order = actions.issue_supervision(a["supervisor"], dispatched, opinion="尽快处理")
    request = actions.request_return(a["handler_clean"], dispatched, reason="不是我们的")
    actions.approve_return(a["dispatcher"], request)
    west_office = a["handler_west"].memberships[0].unit
    actions.dispatch_case(a["dispatcher"], dispatched, unit=west_office, reason="改派")
    clean = client_for("handler_clean")
    assert clean.get(reverse("console:case", args=[dispatched.pk])).status_code == 404
    home = clean.get(reverse("console:home"))
    assert home.context["orders"] == []
    assert dispatched.number not in home.content.decode()
    reply = reverse("console:supervision_reply", args=[order.pk])
    assert reply not in home.content.decode()
