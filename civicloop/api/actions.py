"""Every change to API tokens: issue and revoke (the admin and the API use these)."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.cases.actions import Invalid
from civicloop.core.keys import hash_key

from .auth import tokens_changed
from .models import KEY_PREFIX, VISIBLE_PREFIX_LENGTH, ApiToken

MAX_NAME = 100


def issue_token(user, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the key, which is never stored."""
    name = (name or "").strip() or _("field app")
    if len(name) > MAX_NAME:
        raise Invalid(_("At most %(n)d characters, please.") % {"n": MAX_NAME}, "name")
    if not user.is_active:
        raise Invalid(_("This user is not active."), "user")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=key[:VISIBLE_PREFIX_LENGTH], key_hash=hash_key(key)
        )
    return token, key


def revoke_token(token: ApiToken | int) -> int:
    """Revoke a token (idempotent); returns how many rows changed."""
    pk = token.pk if isinstance(token, ApiToken) else token
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=pk, revoked=False).update(
            revoked=True, revoked_at=timezone.now()
        )
        if changed:
            tokens_changed()  # every process forgets the token (see auth.py)
    return changed
