"""Helpers of the worker tests (no tests here).

The cases use the missing-manhole-cover standard C010101: 6 hours counted
continuously, so their lights and deadlines do not depend on the day or hour
the tests run. A pass's ``now`` lies an hour ahead of the real clock: the
outbox stamps queued messages with the real time, and the pass must see them
as due.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from civicloop.cases import actions
from civicloop.cases.models import Case, CaseEvent
from civicloop.notify.models import Channel, OutboxMessage

LIMIT = datetime.timedelta(hours=6)


def hours(n: float) -> datetime.timedelta:
    return datetime.timedelta(hours=n)


def minutes(n: float) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


def pass_time() -> datetime.datetime:
    """The ``now`` of the tests' passes: a whole second an hour from the real now."""
    return (timezone.now() + hours(1)).replace(microsecond=0)


def dispatched(loop, at: datetime.datetime, *, point: str = "west_point") -> Case:
    """A missing manhole cover reported, accepted, filed and dispatched at ``at``.

    At the west point it goes to the west street office (leader: leader_west).
    """
    a = loop["actors"]
    lon, lat = loop[point]
    case = actions.report_case(
        a["inspector"], source="inspector", category="C0101", standard="C010101",
        lon=lon, lat=lat, address="测试路1号", description="井盖丢失", at=at,
    )  # fmt: skip
    actions.accept_case(a["acceptor"], case, at=at)
    actions.file_case(a["shift_leader"], case, at=at)
    actions.dispatch_case(a["dispatcher"], case, at=at)
    case = Case.objects.get(pk=case.pk)
    assert case.state == "dispatched" and case.light == "green"
    assert case.due_at == case.handling_deadline == at + LIMIT
    return case


def email_channel(unit, address: str = "group@example.cn") -> Channel:
    return Channel.objects.create(unit=unit, kind=Channel.Kind.EMAIL, target=address)


def worker_events(case: Case, *actions_: str) -> list[CaseEvent]:
    wanted = actions_ or ("light", "remind", "escalate")
    return list(CaseEvent.objects.filter(case=case, action__in=wanted).order_by("at", "id"))


def messages(unit=None) -> list[OutboxMessage]:
    queryset = OutboxMessage.objects.order_by("id")
    if unit is not None:
        queryset = queryset.filter(channel__unit=unit)
    return list(queryset)
