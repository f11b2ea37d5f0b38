"""Every POST of the console needs the CSRF token; the pages' forms carry it."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from civicloop.cases import actions
from civicloop.cases.models import Case, CaseRequest, SupervisionOrder

pytestmark = pytest.mark.django_db


def test_posts_without_the_token_are_refused(loop, dispatched):
    a = loop["actors"]
    actions.sign_case(a["handler_clean"], dispatched)
    request = actions.request_extension(a["handler_clean"], dispatched, hours=4, reason="雨")
    order = actions.issue_supervision(a["supervisor"], dispatched, opinion="快")
    lon, lat = loop["west_point"]
    posts = [
        ("handler_clean", reverse("console:case_act", args=[dispatched.pk, "submit_result"]),
         {"submit_result-version": dispatched.version + 1}),
        ("dispatcher", reverse("console:decide_request", args=[request.pk, "approve"]), {}),
        ("handler_clean", reverse("console:supervision_reply", args=[order.pk]), {"reply": "好"}),
        ("acceptor", reverse("console:hotline"), {"source": "hotline", "category": "",
                                                 "lon": lon, "lat": lat}),
        ("dispatcher", reverse("console:logout"), {}),
    ]  # fmt: skip
    for username, url, data in posts:
        c = Client(enforce_csrf_checks=True)
        c.force_login(loop["users"][username])
        assert c.post(url, data).status_code == 403, url
    assert Case.objects.get(pk=dispatched.pk).state == "in_progress"
    assert CaseRequest.objects.get(pk=request.pk).status == "pending"
    assert SupervisionOrder.objects.get(pk=order.pk).status == "open"


def test_every_form_on_the_pages_carries_the_token(client_for, loop, dispatched):
    actions.sign_case(loop["actors"]["handler_clean"], dispatched)
    actions.request_extension(loop["actors"]["handler_clean"], dispatched, hours=4, reason="雨")
    for username, url in (("dispatcher", reverse("console:home")),
                          ("dispatcher", reverse("console:case", args=[dispatched.pk])),
                          ("handler_clean", reverse("console:case", args=[dispatched.pk])),
                          ("acceptor", reverse("console:hotline"))):  # fmt: skip
        html = client_for(username).get(url).content.decode()
        forms = re.findall(r'<form[^>]*method="post".*?</form>', html, re.S)
        assert forms, url
        assert all("csrfmiddlewaretoken" in f for f in forms), url
