"""The admin lists channels and the read-only outbox, and retries messages."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from civicloop.notify.models import Channel, OutboxMessage

from .conftest import T0, make_message, minutes


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def channel(unit):
    return Channel.objects.create(
        unit=unit,
        kind=Channel.Kind.WECOM,
        target="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET-KEY",
    )


def test_pages_open_in_chinese(admin_client, channel):
    message = make_message(channel, last_error="HTTP 500")
    for name, args in [("channel_changelist", []), ("channel_add", []),
                       ("channel_change", [channel.pk]), ("outboxmessage_changelist", []),
                       ("outboxmessage_change", [message.pk])]:  # fmt: skip
        response = admin_client.get(reverse(f"admin:notify_{name}", args=args))
        assert response.status_code == 200, name
        assert response.headers["Content-Language"] == "zh-hans"
    page = admin_client.get(reverse("admin:notify_channel_changelist")).content.decode()
    assert "企业微信群机器人" in page and "区城管局" in page
    assert "SECRET-KEY" not in page and "qyapi.weixin.qq.com/cgi-bin/webhook/send?…" in page


def test_messages_are_read_only(admin_client, channel):
    message = make_message(channel)
    url = reverse("admin:notify_outboxmessage_change", args=[message.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="_save"' not in page
    admin_client.post(url, {"subject": "changed"})
    message.refresh_from_db()
    assert message.subject == "案件待签收"
    assert admin_client.get(reverse("admin:notify_outboxmessage_add")).status_code == 403


def test_filters_by_state_and_kind(admin_client, channel):
    make_message(channel, state=OutboxMessage.State.FAILED, subject="失败的")
    make_message(channel, subject="待发的")
    url = reverse("admin:notify_outboxmessage_changelist")
    page = admin_client.get(url, {"state__exact": "failed", "channel__kind__exact": "wecom"})
    assert "失败的" in page.content.decode() and "待发的" not in page.content.decode()


def test_retry_now(admin_client, channel):
    failed = make_message(channel, state=OutboxMessage.State.FAILED, attempts=8)
    waiting = make_message(channel, attempts=3, next_attempt_at=T0 + minutes(30))
    sent = make_message(channel, state=OutboxMessage.State.SENT, sent_at=T0)
    in_flight = make_message(
        channel, claim_token="c" * 32, next_attempt_at=timezone.now() + minutes(5)
    )
    before = timezone.now()
    response = admin_client.post(
        reverse("admin:notify_outboxmessage_changelist"),
        {"action": "retry_now", "_selected_action": [failed.pk, waiting.pk, sent.pk, in_flight.pk]},
        follow=True,
    )
    assert "将立即重新发送的消息：2 条。" in response.content.decode()
    for m in (failed, waiting, sent, in_flight):
        m.refresh_from_db()
    assert failed.state == OutboxMessage.State.PENDING and failed.attempts == 0
    assert before <= failed.next_attempt_at <= timezone.now()
    assert waiting.attempts == 3 and before <= waiting.next_attempt_at <= timezone.now()
    assert sent.state == OutboxMessage.State.SENT
    assert in_flight.claim_token == "c" * 32 and in_flight.next_attempt_at > timezone.now()


def test_send_a_test_message(admin_client, channel):
    off = Channel.objects.create(
        unit=channel.unit, kind=Channel.Kind.EMAIL, target="a@example.cn", is_active=False
    )
    response = admin_client.post(
        reverse("admin:notify_channel_changelist"),
        {"action": "send_test_message", "_selected_action": [channel.pk, off.pk]},
        follow=True,
    )
    assert "已排队测试消息 1 条" in response.content.decode()
    message = OutboxMessage.objects.get()
    assert message.channel == channel and message.topic == "test"
    assert message.subject == "城市治理平台测试消息"


def test_unit_is_chosen_by_autocomplete(admin_client, unit):
    page = admin_client.get(reverse("admin:notify_channel_add")).content.decode()
    assert "admin-autocomplete" in page
