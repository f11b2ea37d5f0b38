"""API tokens in the admin: issued with the key shown once, revoked, never deleted."""

import hashlib
import re

from civicloop.api.models import ApiToken


def test_admin_issues_and_revokes_tokens(loop, admin_client):
    user = loop["users"]["handler_clean"]
    response = admin_client.post("/admin/api/apitoken/add/", {"user": user.pk, "name": "tablet"},
                                 follow=True)  # fmt: skip
    assert response.status_code == 200
    token = ApiToken.objects.get()
    page = response.content.decode()
    key = re.search(r"(cl_[A-Za-z0-9_\-]{20,})", page).group(1)
    assert hashlib.sha256(key.encode()).hexdigest() == token.key_hash
    assert token.prefix == key[:10] and token.name == "tablet" and token.user == user
    # the key is not shown again
    change = admin_client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert key not in change and token.prefix in change
    listing = admin_client.get("/admin/api/apitoken/").content.decode()
    assert key not in listing
    response = admin_client.post("/admin/api/apitoken/", {"action": "revoke",
                                 "_selected_action": [token.pk]}, follow=True)  # fmt: skip
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked and token.revoked_at
    assert admin_client.get(f"/admin/api/apitoken/{token.pk}/delete/").status_code == 403
