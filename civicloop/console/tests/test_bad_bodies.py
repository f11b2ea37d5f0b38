"""Every console URL answers a body it cannot parse with a 4xx or a form page, never a 500
(signed in as staff who may act, so that the views, not the sign-in redirect, read it)."""

import pytest
from django.test import Client

from civicloop.core.tests.bodies import server_errors, urls_of


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["dispatcher", "shift_leader", "handler_clean", "admin_role"])
def test_no_console_url_answers_500_to_a_broken_body(loop, dispatched, username):
    client = Client(raise_request_exception=False)
    client.force_login(loop["users"][username])
    urls = urls_of("console", pk=dispatched.pk, name="sign", decision="approve")
    urls += [f"/console/cases/{dispatched.pk}/act/{name}/"
             for name in ("submit_result", "request_extension", "supervise", "file", "merge")]  # fmt: skip
    assert len(urls) >= 40
    assert server_errors(client, urls) == []
