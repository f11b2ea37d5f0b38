"""After NOTIFY_MAX_ATTEMPTS failures a message is failed for good; errors are readable."""

import socket

import pytest

from civicloop.notify.delivery import deliver_due, max_attempts
from civicloop.notify.models import Channel, OutboxMessage

from .conftest import T0, make_message, minutes

pytestmark = pytest.mark.django_db


def test_eight_attempts_by_default():
    # The default is declared in settings.py (NOTIFY_MAX_ATTEMPTS, docs/settings.md).
    assert max_attempts() == 8


def test_the_message_fails_after_the_last_attempt(unit, robot, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    channel = Channel.objects.create(unit=unit, kind=Channel.Kind.DINGTALK, target=robot.url())
    robot.answers = [(503, b"busy")] * 5
    message = make_message(channel)
    now = T0
    outcomes = []
    for _ in range(3):
        report = deliver_due(now=now)
        outcomes.append((report.retrying, report.failed))
        message.refresh_from_db()
        now = message.next_attempt_at
    assert outcomes == [(1, 0), (1, 0), (0, 1)]
    assert message.state == OutboxMessage.State.FAILED and message.attempts == 3
    assert message.last_error.startswith("HTTP 503 Service Unavailable from 127.0.0.1:")
    assert deliver_due(now=now + minutes(600)).claimed == 0
    assert len(robot.requests) == 3


def test_connection_refused_is_readable(unit):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nobody listens there
    channel = Channel.objects.create(
        unit=unit, kind=Channel.Kind.WECOM, target=f"http://127.0.0.1:{port}/send?key=SECRET"
    )
    message = make_message(channel)
    deliver_due(now=T0)
    message.refresh_from_db()
    assert message.last_error.startswith(f"Cannot connect to 127.0.0.1:{port}: ")
    assert "refused" in message.last_error.lower()
    assert "SECRET" not in message.last_error


def test_a_timeout_is_readable(unit, robot, settings):
    settings.NOTIFY_HTTP_TIMEOUT = 0.2
    robot.delay = 0.6
    channel = Channel.objects.create(unit=unit, kind=Channel.Kind.WECOM, target=robot.url())
    message = make_message(channel)
    assert deliver_due(now=T0).retrying == 1
    message.refresh_from_db()
    host = robot.base.removeprefix("http://")
    assert message.last_error == f"No answer from {host} within 0.2 s."


def test_an_invalid_address_is_readable(unit):
    channel = Channel.objects.create(unit=unit, kind=Channel.Kind.WECOM, target="not a url")
    message = make_message(channel)
    deliver_due(now=T0)
    message.refresh_from_db()
    assert message.last_error.startswith("Invalid webhook address: ")


def test_a_switched_off_channel_fails_at_once(unit, robot):
    channel = Channel.objects.create(
        unit=unit, kind=Channel.Kind.WECOM, target=robot.url(), is_active=False
    )
    message = make_message(channel)
    assert deliver_due(now=T0).failed == 1
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.FAILED and message.attempts == 1
    assert message.last_error == "The channel is switched off."
    assert robot.requests == []
