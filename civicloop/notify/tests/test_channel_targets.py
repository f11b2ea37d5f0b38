"""Channel targets are checked: e-mail addresses, http(s) webhooks; nothing else is ever read."""

import pytest
from django.core.exceptions import ValidationError

from civicloop.notify import delivery
from civicloop.notify.models import Channel, OutboxMessage

from .conftest import T0


@pytest.mark.parametrize(
    ("kind", "target"),
    [
        (Channel.Kind.EMAIL, "a@example.cn"),
        (Channel.Kind.EMAIL, "a@example.cn; b@example.cn,c@example.cn"),
        (Channel.Kind.WECOM, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K"),
        (Channel.Kind.DINGTALK, "https://oapi.dingtalk.com/robot/send?access_token=T"),
        (Channel.Kind.WECOM, "http://127.0.0.1:8081/hook"),
    ],
)
def test_good_targets(unit, kind, target):
    Channel(unit=unit, kind=kind, target=target).full_clean()


@pytest.mark.parametrize(
    ("kind", "target"),
    [
        (Channel.Kind.EMAIL, "not an address"),
        (Channel.Kind.EMAIL, "a@example.cn; nobody"),
        (Channel.Kind.WECOM, "file:///etc/passwd"),
        (Channel.Kind.DINGTALK, "ftp://example.cn/hook"),
        (Channel.Kind.WECOM, "qyapi.weixin.qq.com/cgi-bin/webhook/send"),
    ],
)
def test_bad_targets(unit, kind, target):
    with pytest.raises(ValidationError) as refused:
        Channel(unit=unit, kind=kind, target=target).full_clean()
    assert "target" in refused.value.message_dict


def test_a_file_url_saved_anyway_is_never_read(unit, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    channel = Channel.objects.create(unit=unit, kind=Channel.Kind.WECOM, target=secret.as_uri())
    message = OutboxMessage.objects.create(channel=channel, subject="s", body="b",
                                           next_attempt_at=T0)  # fmt: skip
    report = delivery.deliver_due(now=T0)
    assert report.retrying == 1
    message.refresh_from_db()
    assert "TOP-SECRET" not in message.last_error
    assert "Invalid webhook address" in message.last_error or "无效" in message.last_error
