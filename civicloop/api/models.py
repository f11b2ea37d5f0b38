"""API tokens of the field apps.

A token is shown once, when it is issued; the database keeps only its SHA-256
hash and a short visible prefix (so people can tell their tokens apart in the
admin without the key being readable there).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: Every key starts with this, so a leaked key is recognisable (secret scanners).
KEY_PREFIX = "cl_"
#: How many leading characters of a key are kept readable.
VISIBLE_PREFIX_LENGTH = 10


class ApiToken(models.Model):
    """A bearer token of a staff user for the field API."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Which device or app uses this token.")
    )
    prefix = models.CharField(_("prefix"), max_length=VISIBLE_PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(_("key hash (SHA-256)"), max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked = models.BooleanField(_("revoked"), default=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_usable(self) -> bool:
        return not self.revoked and self.user.is_active
