"""Bearer token authentication: ``Authorization: Bearer <key>``.

The key is hashed (SHA-256) and looked up with its user in one query. Revoked
tokens, inactive users and deactivated people are refused (401). ``last_used`` is written at most
once a minute per token so that busy clients do not turn every read into a
write.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from ninja.security import HttpBearer

from civicloop.cases.permissions import Actor, actor_for
from civicloop.core.keys import hash_key

from .models import ApiToken


def _touch_interval() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.API_TOKEN_TOUCH_SECONDS)


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str) -> ApiToken | None:
        token = token.strip()
        if not token or len(token) > 200:
            return None
        found = (
            ApiToken.objects.select_related("user", "user__person")
            .filter(key_hash=hash_key(token), revoked=False, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        person = getattr(found.user, "person", None)
        if person is not None and not person.is_active:
            return None  # a deactivated person's logins stop with them
        now = timezone.now()
        if found.last_used is None or now - found.last_used > _touch_interval():
            ApiToken.objects.filter(pk=found.pk).update(last_used=now)
            found.last_used = now
        request.user = found.user
        return found


def actor(request) -> Actor:
    """The actor of the authenticated request (memberships loaded once)."""
    return actor_for(request.user)
