"""E-mail channels deliver through Django's mail backend."""

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from civicloop.notify.delivery import deliver_due
from civicloop.notify.models import Channel, OutboxMessage

from .conftest import T0, make_message

pytestmark = pytest.mark.django_db


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server is down")


@pytest.fixture
def channel(unit):
    return Channel.objects.create(
        unit=unit, kind=Channel.Kind.EMAIL, target="duty@example.cn; leader@example.cn"
    )


def test_the_message_is_mailed_with_an_absolute_link(channel):
    message = make_message(channel)
    report = deliver_due(now=T0)
    assert (report.claimed, report.sent) == (1, 1)
    [email] = mail.outbox
    assert email.subject == "案件待签收"
    assert email.from_email == "civicloop@example.cn"
    assert email.to == ["duty@example.cn", "leader@example.cn"]
    assert email.body == (
        "E0102202011180007 暴露垃圾，请在4小时内处置。\n\nhttps://cg.example.cn/console/cases/7/"
    )
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT and message.sent_at == T0
    assert message.claim_token == "" and message.attempts == 0
    assert deliver_due(now=T0).claimed == 0


def test_absolute_links_and_no_link(channel, settings):
    settings.CIVICLOOP_BASE_URL = "https://cg.example.cn/erqi/"
    make_message(channel, subject="相对", link="console/cases/8/")
    make_message(channel, subject="绝对", link="https://elsewhere.example.cn/x")
    make_message(channel, subject="多行\n主题", link="")
    deliver_due(now=T0)
    bodies = {m.subject: m.body for m in mail.outbox}
    assert bodies["相对"].endswith("\n\nhttps://cg.example.cn/erqi/console/cases/8/")
    assert bodies["绝对"].endswith("\n\nhttps://elsewhere.example.cn/x")
    assert bodies["多行 主题"] == "E0102202011180007 暴露垃圾，请在4小时内处置。"


def test_a_mail_server_error_is_a_failure_to_retry(channel, settings):
    settings.EMAIL_BACKEND = "civicloop.notify.tests.test_email.BrokenBackend"
    message = make_message(channel)
    report = deliver_due(now=T0)
    assert (report.sent, report.retrying) == (0, 1)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PENDING and message.attempts == 1
    assert message.last_error == ("E-mail not sent: ConnectionRefusedError: SMTP server is down")
