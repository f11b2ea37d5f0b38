"""A worker killed after claiming loses nothing: the message is due again after the lease."""

import pytest

from civicloop.notify import delivery
from civicloop.notify.delivery import claim_due, deliver_due, record_failure, record_sent
from civicloop.notify.models import Channel, OutboxMessage

from .conftest import T0, make_message, minutes

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(unit, robot):
    return Channel.objects.create(unit=unit, kind=Channel.Kind.WECOM, target=robot.url())


def test_an_expired_lease_makes_the_message_due_again(channel, settings):
    settings.NOTIFY_LEASE_SECONDS = 120
    message = make_message(channel)
    [dead] = claim_due(now=T0)  # this worker is killed before sending
    assert deliver_due(now=T0 + minutes(1)).claimed == 0
    report = deliver_due(now=T0 + minutes(2))
    assert (report.claimed, report.sent) == (1, 1)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT and message.attempts == 0
    # The dead worker's claim is void: it can record nothing any more.
    assert not record_sent(dead, T0 + minutes(3))
    assert not record_failure(dead, "late", T0 + minutes(3))
    message.refresh_from_db()
    assert (message.sent_at, message.last_error) == (T0 + minutes(2), "")


def test_a_worker_that_lost_its_claim_does_not_send(channel, robot, monkeypatch):
    make_message(channel)
    stale = claim_due(now=T0)
    later = T0 + delivery.lease() + minutes(1)
    fresh = claim_due(now=later)  # another worker took the message over
    assert [m.id for m in fresh] == [m.id for m in stale]
    monkeypatch.setattr(delivery, "claim_due", lambda now, limit: stale)
    report = deliver_due(now=later)
    assert (report.claimed, report.skipped, report.sent) == (1, 1, 0)
    assert robot.requests == []
    assert OutboxMessage.objects.get().claim_token == fresh[0].claim_token


def test_sending_renews_the_lease(channel):
    make_message(channel)
    [message] = claim_due(now=T0)
    assert delivery._still_mine(message, T0 + minutes(4))
    message.refresh_from_db()
    assert message.next_attempt_at == T0 + minutes(4) + delivery.lease()
