"""Every sign-in is throttled: console, admin and the API token endpoint lock out with 429."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT


@pytest.fixture
def staff():
    return get_user_model().objects.create_user(
        "duty01", password="correct horse battery", is_staff=True, is_superuser=True
    )


def _wrong(client: Client, url: str, field_extra=None, **extra):
    data = {"username": "duty01", "password": "wrong", **(field_extra or {})}
    return client.post(url, data, **extra)


@pytest.mark.parametrize("url", ["/console/login/", "/admin/login/"])
def test_login_forms_lock_out_with_retry_after(client, staff, url):
    for _ in range(LIMIT - 1):
        assert _wrong(client, url).status_code == 200  # the form again, with its error
    locked = _wrong(client, url)
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 15 * 60
    assert "登录失败次数过多" in locked.content.decode()
    # even the right password waits for the cool-off
    right = client.post(url, {"username": "duty01", "password": "correct horse battery"})
    assert right.status_code == 429
    # another account from the same address is not locked (the pair is)
    get_user_model().objects.create_user("duty02", password="another good one", is_staff=True)
    other = client.post(url, {"username": "duty02", "password": "another good one"})
    assert other.status_code == 302


def test_the_api_token_endpoint_locks_out_with_json(client, staff):
    for _ in range(LIMIT - 1):
        response = client.post("/api/auth/token", {"username": "duty01", "password": "x"})
        assert response.status_code == 401
    locked = client.post("/api/auth/token", {"username": "duty01", "password": "x"})
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(15 * 60)
    assert locked.json()["code"] == "rate_limited"


def test_a_success_resets_the_count_and_is_recorded(client, staff):
    for _ in range(LIMIT - 1):
        _wrong(client, "/console/login/")
    ok = client.post("/console/login/", {"username": "duty01", "password": "correct horse battery"})
    assert ok.status_code == 302
    assert not AccessAttempt.objects.filter(username="duty01").exists()
    assert AccessLog.objects.filter(username="duty01").count() == 1
    # administrators see sign-ins and admin changes in the admin
    assert client.get("/admin/axes/accesslog/").status_code == 200
    assert client.get("/admin/admin/logentry/").status_code == 200


def test_a_sign_in_without_a_known_address_is_recorded_without_one(client, staff):
    client.force_login(staff)  # a request without REMOTE_ADDR
    assert AccessLog.objects.get(username="duty01").ip_address is None
