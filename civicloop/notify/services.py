"""Queueing messages in the outbox (same transaction as the caller's change)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
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
    channels = Channel.objects.filter(unit_id=unit_id, is_active=True)
    return queue_for_channels(
        channels, subject, body, link=link, topic=topic, dedupe_key=dedupe_key
    )


def queue_for_channels(
    channels: Iterable[Channel] | QuerySet[Channel],
    subject: str,
    body: str,
    *,
    link: str = "",
    topic: str = "",
    dedupe_key: str | None = None,
) -> int:
    """Queue one message per given channel (active or not); returns how many were queued.

    ``dedupe_key`` works as in :func:`queue_for_unit`.
    """
    now = timezone.now()
    queued = 0
    channel_ids = (
        channels.values_list("id", flat=True)
        if isinstance(channels, QuerySet)
        else [c.pk for c in channels]
    )
    for channel_id in channel_ids:
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
