"""Bearer token authentication: ``Authorization: Bearer <key>``.

The key is hashed (SHA-256) and looked up with its user (one query) the first
time a process sees it; the token, its user and the user's memberships (the
actor) then stay in the process's memory (``civicloop.core.memo``, counter
``api.tokens``) until a token, user, person, membership or unit is saved or
deleted anywhere, or a token is revoked: this process forgets at once, the
others within ``MEMO_CHECK_SECONDS``. Revoked tokens, inactive users and
deactivated people are refused (401). ``last_used`` is written at most once a
minute per token and process (``API_TOKEN_TOUCH_SECONDS``), so that busy
clients do not turn every read into a write.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from ninja.security import HttpBearer

from civicloop.cases.permissions import Actor, actor_for
from civicloop.core.keys import hash_key
from civicloop.core.memo import Memo, bump, bump_on_change
from civicloop.org.models import Membership, Person, Unit

from .models import ApiToken

MEMO_NAME = "api.tokens"
#: Keys a process remembers at most (then it starts afresh).
MAX_REMEMBERED = 10_000

TOKENS = Memo(MEMO_NAME, dict)


def _touch_interval() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.API_TOKEN_TOUCH_SECONDS)


def _lookup(key_hash: str) -> ApiToken | None:
    known = TOKENS.get()
    found = known.get(key_hash)
    if found is not None:
        return found
    found = (
        ApiToken.objects.select_related("user", "user__person")
        .filter(key_hash=key_hash, revoked=False, user__is_active=True)
        .first()
    )
    if found is None:
        return None  # unknown keys are never remembered
    actor_for(found.user)  # memberships loaded once, kept on the user
    if len(known) >= MAX_REMEMBERED:
        known.clear()
    known[key_hash] = found
    return found


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str) -> ApiToken | None:
        token = token.strip()
        if not token or len(token) > 200:
            return None
        found = _lookup(hash_key(token))
        if found is None:
            return None
        person = getattr(found.user, "person", None)
        if person is not None and not person.is_active:
            return None  # a deactivated person's logins stop with them
        now = timezone.now()
        if found.last_used is None or now - found.last_used > _touch_interval():
            found.last_used = now
            ApiToken.objects.filter(pk=found.pk).update(last_used=now)
        request.user = found.user
        return found


def actor(request) -> Actor:
    """The actor of the authenticated request (memberships loaded once)."""
    return actor_for(request.user)


def tokens_changed() -> None:
    """Call after changing tokens without model signals (``QuerySet.update``)."""
    bump(MEMO_NAME)


def connect() -> None:
    # A sign-in (last_login) and the token's own touch (an update) change nothing held here.
    bump_on_change(
        MEMO_NAME, [ApiToken, get_user_model(), Person, Membership, Unit],
        ignore_fields={"last_login"},
    )  # fmt: skip
