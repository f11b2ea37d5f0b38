"""Process heartbeats: when each background process last finished a pass.

The worker writes its row after every successful pass; ``/healthz`` reads the
rows to tell a load balancer or an operator whether the background work runs.
"""

from __future__ import annotations

import os
import socket

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last sign of life of one named process (e.g. ``worker@host:pid``)."""

    name = models.CharField(_("process"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    beat_at = models.DateTimeField(_("last heartbeat"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def beat(cls, kind: str, note: str = "", at=None) -> None:
        """Record a sign of life of this process (one upsert)."""
        name = f"{kind}@{socket.gethostname()}:{os.getpid()}"[:120]
        cls.objects.update_or_create(
            name=name, defaults={"kind": kind, "beat_at": at or timezone.now(), "note": note[:200]}
        )

    @classmethod
    def latest(cls, kind: str):
        """When any process of ``kind`` last beat (None if never)."""
        return cls.objects.filter(kind=kind).aggregate(at=models.Max("beat_at"))["at"]


class MemoVersion(models.Model):
    """The version counter of one per-process memo (``civicloop.core.memo``)."""

    name = models.CharField(_("name"), max_length=60, primary_key=True)
    version = models.PositiveBigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("memo version")
        verbose_name_plural = _("memo versions")

    def __str__(self) -> str:
        return f"{self.name} {self.version}"
