"""``manage.py deliver_outbox --once`` delivers one batch."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from civicloop.notify.models import Channel, OutboxMessage

from .conftest import make_message

pytestmark = pytest.mark.django_db


def test_once_delivers_one_batch(unit):
    channel = Channel.objects.create(unit=unit, kind=Channel.Kind.EMAIL, target="a@example.cn")
    for _ in range(3):
        make_message(channel, next_attempt_at=timezone.now())
    out = io.StringIO()
    call_command("deliver_outbox", "--once", "--limit", "2", stdout=out)
    assert out.getvalue() == "Outbox: claimed 2, sent 2, retrying 0, failed 0, skipped 0.\n"
    assert len(mail.outbox) == 2
    call_command("deliver_outbox", "--once", stdout=io.StringIO())
    assert OutboxMessage.objects.filter(state="sent").count() == 3


def test_the_loop_sleeps_when_idle_and_stops_cleanly(monkeypatch):
    naps = []

    def sleep(seconds):
        naps.append(seconds)
        if len(naps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr("civicloop.notify.management.commands.deliver_outbox.time.sleep", sleep)
    out = io.StringIO()
    call_command("deliver_outbox", "--interval", "7", stdout=out)
    assert naps == [7.0, 7.0]
    assert out.getvalue() == "Stopped.\n"
