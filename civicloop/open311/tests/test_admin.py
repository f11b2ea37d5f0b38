"""Clients are managed in the admin: the key is shown once and stored hashed."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages

from civicloop.open311.models import Open311Client


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(user)
    return client


def _key_from_messages(response):
    for message in get_messages(response.wsgi_request):
        text = str(message)
        if "API key" in text:
            return text.split(": ", 1)[1].split(" ", 1)[0]
    raise AssertionError("no key shown")


def test_add_client_shows_key_once(admin_client):
    response = admin_client.post(
        "/admin/open311/open311client/add/", {"name": "app", "contact": "x", "is_active": "on"}
    )
    assert response.status_code == 302
    key = _key_from_messages(response)
    client = Open311Client.objects.get(name="app")
    assert Open311Client.authenticate(key) == client
    assert key not in client.key_hash and client.key_hint == key[-4:]
    url = f"/admin/open311/open311client/{client.pk}/change/"
    assert key in admin_client.get(url).content.decode()  # the message, once
    assert key not in admin_client.get(url).content.decode()


def test_issue_new_keys(admin_client):
    client = Open311Client(name="app")
    old = client.set_key()
    client.save()
    response = admin_client.post(
        "/admin/open311/open311client/",
        {"action": "issue_new_keys", "_selected_action": [client.pk]},
    )
    new = _key_from_messages(response)
    assert Open311Client.authenticate(old) is None
    assert Open311Client.authenticate(new) == client


def test_changelist(admin_client):
    Open311Client(name="app").set_key()
    assert admin_client.get("/admin/open311/open311client/").status_code == 200
    assert admin_client.get("/admin/open311/open311request/").status_code == 200
