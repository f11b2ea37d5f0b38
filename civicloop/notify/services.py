"""Queueing messages in the outbox (same transaction as the caller's change)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Channel, OutboxMessage


def queue_for_unit(
    unit_id: int | None,
    subject: str,
    body: str,
    *,
    link: str = "",
    topic: str = "",
    dedupe_key: str | None = None,
) -> int:
    """Queue one message per active channel of the unit; returns how many were queued.

    With ``dedupe_key`` a message already queued for a channel under the same
    key is not queued again (a reminder is sent once however often the worker
    looks).
    """
    if unit_id is None:
        return 0
    now = timezone.now()
    queued = 0
    for channel_id in Channel.objects.filter(unit_id=unit_id, is_active=True).values_list(
        "id", flat=True
    ):
        message = OutboxMessage(
            channel_id=channel_id,
            subject=subject[:200],
            body=body,
            link=link[:300],
            topic=topic[:100],
            dedupe_key=dedupe_key,
            next_attempt_at=now,
        )
        if dedupe_key is None:
            message.save()
            queued += 1
            continue
        try:
            with transaction.atomic():
                message.save()
            queued += 1
        except IntegrityError:
            pass
    return queued
