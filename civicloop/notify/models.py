"""The outbox and the channels it is delivered through.

Actions never send anything themselves: they append an :class:`OutboxMessage`
in the same transaction as the change they make (``services.queue_*``), so a
message exists exactly when the change was committed. The worker
(``manage.py worker`` or ``manage.py deliver_outbox``) delivers due messages
through ``delivery.deliver_due``, retrying with back-off and recording
failures.

A :class:`Channel` belongs to a unit (its "special work group", 专项工作群):
an e-mail address, a WeCom (企业微信) group robot webhook or a DingTalk custom
robot webhook (with its optional signing secret).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", _("e-mail")
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk custom robot")

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="channels"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    target = models.CharField(
        _("target"),
        max_length=500,
        help_text=_("An e-mail address, or the robot's webhook URL."),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk only: the robot's SEC… secret when signing is on."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["unit", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_kind_display()}"

    def clean(self) -> None:
        """An e-mail channel needs addresses; a robot an http(s) webhook URL."""
        super().clean()
        target = (self.target or "").strip()
        if self.kind == self.Kind.EMAIL:
            addresses = [a for a in re.split(r"[,;\s]+", target) if a]
            if not addresses:
                raise ValidationError({"target": _("Give at least one e-mail address.")})
            for address in addresses:
                try:
                    validate_email(address)
                except ValidationError:
                    raise ValidationError(
                        {
                            "target": _("%(address)s is not an e-mail address.")
                            % {"address": address}
                        }
                    ) from None
        elif self.kind in (self.Kind.WECOM, self.Kind.DINGTALK):
            try:
                URLValidator(schemes=["https", "http"])(target)
            except ValidationError:
                raise ValidationError(
                    {"target": _("Give the robot's webhook address (https://…).")}
                ) from None


class OutboxMessage(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="messages"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    #: What the message is about, e.g. "case:123" — for the timeline and dedupe.
    topic = models.CharField(_("topic"), max_length=100, blank=True, db_index=True)
    #: Set when one message per event must never be queued twice (reminders).
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    #: Set by the worker that claimed the message (``delivery.claim_due``); the
    #: claim lasts until ``next_attempt_at`` (the lease), after which another
    #: worker may claim the message again. Cleared when the outcome is recorded.
    claim_token = models.CharField(
        _("claim token"), max_length=32, blank=True, default="", editable=False
    )
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="pending"),
                name="notify_outbox_due",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="notify_outbox_unique_dedupe",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.channel}"
