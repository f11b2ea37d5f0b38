"""WeCom group robots get a markdown message; errcode ≠ 0 is a failure."""

import pytest

from civicloop.notify.delivery import WECOM_MARKDOWN_MAX_BYTES, deliver_due, wecom_content
from civicloop.notify.models import Channel, OutboxMessage

from .conftest import T0, make_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(unit, robot):
    return Channel.objects.create(
        unit=unit, kind=Channel.Kind.WECOM, target=robot.url("/cgi-bin/webhook/send", key="k-1")
    )


def test_the_exact_request(channel, robot):
    message = make_message(channel)
    assert deliver_due(now=T0).sent == 1
    [request] = robot.requests
    assert request.path == "/cgi-bin/webhook/send" and request.query == {"key": "k-1"}
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.json == {
        "msgtype": "markdown",
        "markdown": {
            "content": "**案件待签收**\n"
            "E0102202011180007 暴露垃圾，请在4小时内处置。\n"
            "[View details](https://cg.example.cn/console/cases/7/)"
        },
    }
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT


def test_the_link_label_follows_the_language(channel, robot):
    from django.utils import translation

    make_message(channel)
    with translation.override("zh-hans"):
        deliver_due(now=T0)
    assert (
        robot.requests[0]
        .json["markdown"]["content"]
        .endswith("[查看详情](https://cg.example.cn/console/cases/7/)")
    )


def test_an_errcode_is_a_failure(channel, robot):
    robot.answers = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"})]
    message = make_message(channel)
    assert deliver_due(now=T0).retrying == 1
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PENDING and message.attempts == 1
    assert message.last_error == (
        "The robot refused the message: errcode 93000, invalid webhook url"
    )


def test_long_content_is_cut_to_4096_bytes_keeping_the_link(channel):
    message = make_message(channel, body="很长的正文" * 1000)
    content = wecom_content(message)
    assert len(content.encode()) <= WECOM_MARKDOWN_MAX_BYTES
    assert content.endswith("…\n[View details](https://cg.example.cn/console/cases/7/)")
