"""Every portal URL answers a body it cannot parse with a 4xx or a form page, never a 500."""

import pytest
from django.test import Client

from civicloop.core.tests.bodies import server_errors, urls_of


@pytest.mark.django_db
def test_no_portal_url_answers_500_to_a_broken_body(public_report):
    case = public_report()
    urls = urls_of("portal", pk=case.pk, code=case.tracking_code)
    assert len(urls) >= 15
    assert server_errors(Client(raise_request_exception=False), urls) == []
