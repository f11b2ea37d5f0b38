"""Queueing: one message per active channel of the unit, deduplicated by key."""

import pytest
from django.utils import timezone

from civicloop.notify.models import Channel, OutboxMessage
from civicloop.notify.services import queue_for_channels, queue_for_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def channels(unit):
    return [
        Channel.objects.create(unit=unit, kind=Channel.Kind.EMAIL, target="a@example.cn"),
        Channel.objects.create(unit=unit, kind=Channel.Kind.WECOM, target="https://w/x?key=1"),
        Channel.objects.create(
            unit=unit, kind=Channel.Kind.DINGTALK, target="https://d/x", is_active=False
        ),
    ]


def test_one_message_per_active_channel_due_at_once(unit, channels):
    before = timezone.now()
    assert queue_for_unit(unit.id, "主题", "正文", link="/x/", topic="case:1") == 2
    messages = OutboxMessage.objects.order_by("channel_id")
    assert [m.channel for m in messages] == channels[:2]
    for m in messages:
        assert m.state == OutboxMessage.State.PENDING and m.attempts == 0
        assert before <= m.next_attempt_at <= timezone.now()
        assert (m.subject, m.body, m.link, m.topic, m.claim_token) == (
            "主题",
            "正文",
            "/x/",
            "case:1",
            "",
        )


def test_no_unit_or_no_channel_queues_nothing(unit):
    assert queue_for_unit(None, "s", "b") == 0
    assert queue_for_unit(unit.id, "s", "b") == 0
    assert not OutboxMessage.objects.exists()


def test_a_dedupe_key_queues_once_per_channel(unit, channels):
    assert queue_for_unit(unit.id, "催办", "b", dedupe_key="remind:case:1:80") == 2
    assert queue_for_unit(unit.id, "催办", "b", dedupe_key="remind:case:1:80") == 0
    assert queue_for_unit(unit.id, "催办", "b", dedupe_key="remind:case:1:100") == 2
    assert queue_for_unit(unit.id, "无键", "b") == 2
    assert queue_for_unit(unit.id, "无键", "b") == 2
    assert OutboxMessage.objects.count() == 8


def test_long_fields_are_cut_to_fit(unit, channels):
    queue_for_unit(unit.id, "长" * 300, "b", link="/" + "l" * 400, topic="t" * 200)
    m = OutboxMessage.objects.first()
    assert (len(m.subject), len(m.link), len(m.topic)) == (200, 300, 100)


def test_queue_for_given_channels(unit, channels):
    assert queue_for_channels(Channel.objects.filter(kind="dingtalk"), "s", "b") == 1
    assert queue_for_channels([channels[0]], "s", "b", dedupe_key="k") == 1
    assert queue_for_channels([channels[0]], "s", "b", dedupe_key="k") == 0
