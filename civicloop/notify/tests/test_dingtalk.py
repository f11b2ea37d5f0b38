"""DingTalk custom robots get a markdown message, signed when the channel has a secret."""

import base64
import hashlib
import hmac
import time

import pytest

from civicloop.notify.delivery import deliver_due, dingtalk_sign
from civicloop.notify.models import Channel, OutboxMessage

from .conftest import T0, make_message

pytestmark = pytest.mark.django_db

SECRET = "SECa1b2c3d4e5f6"


def channel(unit, robot, secret=""):
    return Channel.objects.create(
        unit=unit,
        kind=Channel.Kind.DINGTALK,
        target=robot.url("/robot/send", access_token="tok"),
        secret=secret,
    )


EXPECTED = {
    "msgtype": "markdown",
    "markdown": {
        "title": "案件待签收",
        "text": "#### 案件待签收\n\n"
        "E0102202011180007 暴露垃圾，请在4小时内处置。\n\n"
        "[View details](https://cg.example.cn/console/cases/7/)",
    },
}


def test_the_exact_request_with_a_signature(unit, robot):
    message = make_message(channel(unit, robot, SECRET))
    before = int(time.time() * 1000)
    assert deliver_due(now=T0).sent == 1
    [request] = robot.requests
    assert request.json == EXPECTED
    assert request.path == "/robot/send"
    assert set(request.query) == {"access_token", "timestamp", "sign"}
    assert request.query["access_token"] == "tok"
    timestamp = request.query["timestamp"]
    assert before <= int(timestamp) <= int(time.time() * 1000)
    # As DingTalk documents it: base64(HmacSHA256(key=secret, "timestamp\nsecret")),
    # URL-encoded in the query (parse_qsl above decoded it again).
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert request.query["sign"] == expected
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT


def test_the_signature_is_url_encoded():
    # A known value: "+", "/" and "=" of base64 must be escaped in the query.
    sign = dingtalk_sign("SEC000", 1700000000000)
    raw = base64.b64encode(
        hmac.new(b"SEC000", b"1700000000000\nSEC000", hashlib.sha256).digest()
    ).decode()
    assert sign == raw.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")


def test_no_secret_no_signature(unit, robot):
    make_message(channel(unit, robot))
    assert deliver_due(now=T0).sent == 1
    assert robot.requests[0].query == {"access_token": "tok"}
    assert robot.requests[0].json == EXPECTED


def test_an_errcode_is_a_failure(unit, robot):
    robot.answers = [(200, {"errcode": 310000, "errmsg": "sign not match"})]
    message = make_message(channel(unit, robot, SECRET))
    assert deliver_due(now=T0).retrying == 1
    message.refresh_from_db()
    assert message.last_error == "The robot refused the message: errcode 310000, sign not match"
