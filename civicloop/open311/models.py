"""Open311 clients (API keys issued in the admin) and what each POST brought.

A client's key is shown once when it is issued and stored only as its SHA-256
digest: keys are random (32 bytes of ``secrets``), so a plain digest is as
strong as a slow password hash and lets every request be checked with one
indexed lookup.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicloop.core.keys import hash_key

#: The version counter of the clients each process keeps in memory (views.CLIENTS).
CLIENTS_MEMO = "open311.clients"


def new_token() -> str:
    return secrets.token_hex(12)


class Open311Client(models.Model):
    """An application allowed to POST service requests (one API key each)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    contact = models.CharField(
        _("contact"), max_length=200, blank=True,
        help_text=_("Who runs the application (person, e-mail, phone)."),
    )  # fmt: skip
    key_hash = models.CharField(_("key (SHA-256)"), max_length=64, unique=True, editable=False)
    key_hint = models.CharField(
        _("key ends with"), max_length=8, blank=True, editable=False,
        help_text=_("The last characters of the key, to tell keys apart."),
    )  # fmt: skip
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def set_key(self, key: str | None = None) -> str:
        """Give the client a new key (random unless given); returns it in clear once."""
        key = key or secrets.token_urlsafe(32)
        self.key_hash = hash_key(key)
        self.key_hint = key[-4:]
        return key

    @classmethod
    def authenticate(cls, key: str | None) -> Open311Client | None:
        """The active client holding ``key``, or None."""
        if not key:
            return None
        return cls.objects.filter(key_hash=hash_key(key.strip()), is_active=True).first()


class Open311Request(models.Model):
    """The Open311 side of a case created through ``POST requests``."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT,
        related_name="open311_request",
    )  # fmt: skip
    client = models.ForeignKey(
        Open311Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="requests"
    )
    token = models.CharField(_("token"), max_length=32, unique=True, default=new_token)
    account_id = models.CharField(_("account ID"), max_length=100, blank=True)
    device_id = models.CharField(_("device ID"), max_length=100, blank=True)
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.client} → {self.case_id}"
