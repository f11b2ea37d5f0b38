"""An item's timeline, read from its append-only history (one query plus attachments)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch

from .models import Attachment, Item, ItemEvent, State


@dataclass
class Line:
    at: datetime.datetime
    action: str
    label: str
    actor: str
    role: str
    unit: str
    note: str
    from_state: str
    to_state: str
    data: dict
    attachments: list = field(default_factory=list)


def timeline(item: Item | int) -> list[Line]:
    pk = item.pk if isinstance(item, Item) else item
    events = (
        ItemEvent.objects.filter(item_id=pk).select_related("unit")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("at", "id")
    )  # fmt: skip
    labels = dict(ItemEvent.Action.choices)
    states = dict(State.choices)
    return [
        Line(
            at=e.at,
            action=e.action,
            label=str(labels.get(e.action, e.action)),
            actor=e.actor_name,
            role=e.role,
            unit=e.unit.name if e.unit else "",
            note=e.note,
            from_state=str(states.get(e.from_state, "")),
            to_state=str(states.get(e.to_state, "")),
            data=e.data,
            attachments=list(e.attachments.all()),
        )  # fmt: skip
        for e in events
    ]
