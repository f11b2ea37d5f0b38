"""Token authentication: issue, use, revoke; inactive users; hashed storage."""

import hashlib

from civicloop.api.actions import issue_token, revoke_token
from civicloop.api.models import ApiToken

from .conftest import ApiClient


def test_token_endpoint_issues_a_key_that_authenticates(loop):
    client = ApiClient(None)
    response = client.post("/api/auth/token", {"username": "inspector", "password": "pw",
                                               "name": "phone"})  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    key = body["token"]
    assert key.startswith("cl_") and body["prefix"] == key[:10] and body["name"] == "phone"
    stored = ApiToken.objects.get()
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {stored.prefix, stored.key_hash, stored.name}
    me = ApiClient(key).get("/api/me")
    assert me.status_code == 200
    assert me.json()["user"]["username"] == "inspector"
    stored.refresh_from_db()
    assert stored.last_used is not None


def test_token_endpoint_accepts_form_fields(loop):
    response = ApiClient(None).client.post(
        "/api/auth/token", {"username": "dispatcher", "password": "pw"}
    )
    assert response.status_code == 201


def test_wrong_password_is_401(loop):
    response = ApiClient(None).post("/api/auth/token", {"username": "inspector", "password": "x"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert not ApiToken.objects.exists()


def test_failed_sign_ins_are_rate_limited(loop, settings):
    settings.API_TOKEN_RATE_LIMIT = "3/m"
    client = ApiClient(None)
    for _ in range(3):
        assert (
            client.post("/api/auth/token", {"username": "inspector", "password": "x"}).status_code
            == 401
        )
    response = client.post("/api/auth/token", {"username": "inspector", "password": "pw"})
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"


def test_user_without_a_role_gets_no_token(loop, django_user_model):
    django_user_model.objects.create_user("nobody", password="pw")
    response = ApiClient(None).post("/api/auth/token", {"username": "nobody", "password": "pw"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_inactive_user_cannot_get_a_token(loop):
    user = loop["users"]["inspector"]
    user.is_active = False
    user.save()
    response = ApiClient(None).post("/api/auth/token", {"username": "inspector", "password": "pw"})
    assert response.status_code == 401


def test_inactive_user_token_is_refused(loop):
    user = loop["users"]["inspector"]
    _token, key = issue_token(user, "phone")
    user.is_active = False
    user.save()
    response = ApiClient(key).get("/api/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_deactivated_person_token_is_refused(loop):
    user = loop["users"]["handler_clean"]
    _token, key = issue_token(user, "phone")
    assert ApiClient(key).get("/api/me").status_code == 200
    user.person.is_active = False
    user.person.save()
    assert ApiClient(key).get("/api/me").status_code == 401


def test_revoked_token_is_refused(loop):
    token, key = issue_token(loop["users"]["inspector"], "phone")
    assert ApiClient(key).get("/api/me").status_code == 200
    assert revoke_token(token) == 1
    assert revoke_token(token) == 0
    assert ApiClient(key).get("/api/me").status_code == 401


def test_missing_or_malformed_header_is_401(loop):
    assert ApiClient(None).get("/api/me").status_code == 401
    assert ApiClient("cl_not-a-real-key").get("/api/me").status_code == 401
    response = ApiClient(None).get("/api/me", HTTP_AUTHORIZATION="Basic abc")
    assert response.status_code == 401


def test_session_login_is_not_enough(loop, client):
    """The API is for token clients; a console session does not authenticate it."""
    client.force_login(loop["users"]["inspector"])
    assert client.get("/api/me").status_code == 401
