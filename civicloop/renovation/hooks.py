"""Registration hooks: how upper layers hear of renovation events without being imported.

``on_item_late(callback)`` registers ``callback(item)``, called once per work
item that passed its batch deadline unfinished (the supervision app turns it
into a supervision item; its ``AppConfig.ready`` registers the callback).
``raise_late_items()`` finds such items, marks each with a compare-and-set
update (so two workers never raise one twice) and calls the callbacks inside
the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from .models import WorkItem

_late_callbacks: list[Callable] = []


def on_item_late(callback: Callable) -> Callable:
    """Register ``callback(item)`` (usable as a decorator); returns it."""
    if callback not in _late_callbacks:
        _late_callbacks.append(callback)
    return callback


def late_items(today: datetime.date | None = None):
    """Items unfinished after their batch deadline and not yet raised."""
    today = today or timezone.localdate()
    return (
        WorkItem.objects.filter(project__batch__deadline__lt=today, late_raised_at__isnull=True)
        .exclude(state=WorkItem.State.DONE)
        .select_related("project__compound", "project__batch")
    )


def raise_late_items(today: datetime.date | None = None) -> int:
    """Mark and announce late items; returns how many were raised by this call."""
    raised = 0
    at = timezone.now()
    for item in late_items(today).order_by("pk").iterator(chunk_size=500):
        with transaction.atomic():
            claimed = WorkItem.objects.filter(pk=item.pk, late_raised_at__isnull=True).update(
                late_raised_at=at
            )
            if not claimed:
                continue
            item.late_raised_at = at
            for callback in list(_late_callbacks):
                callback(item)
        raised += 1
    return raised
