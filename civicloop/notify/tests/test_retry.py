"""A failed delivery is retried after a back-off of 1, 2, 4, 8 … minutes (at most 1 h)."""

import pytest

from civicloop.notify.delivery import backoff, deliver_due
from civicloop.notify.models import Channel, OutboxMessage

from .conftest import T0, make_message, minutes

pytestmark = pytest.mark.django_db


def test_the_back_off_doubles_up_to_an_hour():
    assert [backoff(n) for n in range(1, 10)] == [
        minutes(m) for m in (1, 2, 4, 8, 16, 32, 60, 60, 60)
    ]


@pytest.mark.parametrize(
    "first_answer, error",
    [
        ((500, b"boom"), "HTTP 500 Internal Server Error from 127.0.0.1:{port}: boom"),
        ((200, {"errcode": 45009, "errmsg": "api freq out of limit"}),
         "The robot refused the message: errcode 45009, api freq out of limit"),
        ((200, b"<html>not json</html>"), "The robot's answer is not JSON: <html>not json</html>"),
    ],
    ids=["http-500", "errcode", "not-json"],
)  # fmt: skip
def test_a_robot_failing_once_gets_the_message_after_the_back_off(unit, robot, first_answer, error):
    channel = Channel.objects.create(unit=unit, kind=Channel.Kind.WECOM, target=robot.url())
    robot.answers = [first_answer]
    message = make_message(channel)

    report = deliver_due(now=T0)
    assert (report.claimed, report.sent, report.retrying) == (1, 0, 1)
    port = robot.base.rsplit(":", 1)[1]
    assert report.errors == [(message.id, error.format(port=port))]
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PENDING
    assert (message.attempts, message.next_attempt_at) == (1, T0 + minutes(1))
    assert message.last_error == error.format(port=port)
    assert message.claim_token == ""

    assert deliver_due(now=T0 + minutes(0.5)).claimed == 0
    report = deliver_due(now=T0 + minutes(1))
    assert (report.claimed, report.sent) == (1, 1)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT and message.sent_at == T0 + minutes(1)
    assert message.attempts == 1 and message.last_error == ""
    assert len(robot.requests) == 2 and robot.requests[0].body == robot.requests[1].body


def test_successive_failures_wait_longer(unit, robot):
    channel = Channel.objects.create(unit=unit, kind=Channel.Kind.WECOM, target=robot.url())
    robot.answers = [(502, b"")] * 3
    message = make_message(channel)
    now = T0
    for wait in (1, 2, 4):
        deliver_due(now=now)
        message.refresh_from_db()
        assert message.next_attempt_at == now + minutes(wait)
        now = message.next_attempt_at
    assert deliver_due(now=now).sent == 1


@pytest.mark.parametrize("kind", [Channel.Kind.WECOM, Channel.Kind.DINGTALK])
def test_every_attempt_carries_the_same_idempotency_key(unit, robot, kind):
    channel = Channel.objects.create(unit=unit, kind=kind, target=robot.url())
    robot.answers = [(500, b"boom")]
    message = make_message(channel)
    other = make_message(channel)
    deliver_due(now=T0)
    deliver_due(now=T0 + minutes(1))
    keys = [r.headers["idempotency-key"] for r in robot.requests]
    mine = f"civicloop-outbox-{message.pk}"
    assert keys.count(mine) == 2  # the failed attempt and the retry
    assert f"civicloop-outbox-{other.pk}" in keys
