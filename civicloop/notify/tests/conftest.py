"""Fixtures of the notification tests: a unit with channels, a clock, a fake robot."""

from __future__ import annotations

import datetime
import json
import threading
import time
import urllib.parse
import zoneinfo
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from civicloop.notify.models import Channel, OutboxMessage
from civicloop.org.models import Unit

#: The tests' clock: every call of the delivery code gets ``now`` explicitly.
T0 = datetime.datetime(2025, 3, 10, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def minutes(n: float) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


@pytest.fixture(autouse=True)
def _notify_settings(settings):
    settings.CIVICLOOP_BASE_URL = "https://cg.example.cn"
    settings.DEFAULT_FROM_EMAIL = "civicloop@example.cn"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFY_HTTP_TIMEOUT = 2


@pytest.fixture
def unit(db):
    return Unit.objects.create(code="CGJ", name="区城管局", kind=Unit.Kind.DEPARTMENT)


def make_message(channel: Channel, **fields) -> OutboxMessage:
    values = {"subject": "案件待签收", "body": "E0102202011180007 暴露垃圾，请在4小时内处置。",
              "link": "/console/cases/7/", "next_attempt_at": T0}  # fmt: skip
    values.update(fields)
    return OutboxMessage.objects.create(channel=channel, **values)


@dataclass
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Robot:
    """A local webhook: records each request and answers from a script.

    ``answers`` holds ``(status, body)`` pairs used in turn (a dict body is
    sent as JSON); when it is empty the robot answers ``200 {"errcode": 0}``.
    ``delay`` makes it answer late.
    """

    base: str = ""
    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[int, object]] = field(default_factory=list)
    delay: float = 0.0

    def url(self, path: str = "/send", **query: str) -> str:
        return self.base + path + ("?" + urllib.parse.urlencode(query) if query else "")


@pytest.fixture
def robot():
    state = Robot()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            parts = urllib.parse.urlsplit(self.path)
            state.requests.append(
                Received(
                    path=parts.path,
                    query=dict(urllib.parse.parse_qsl(parts.query)),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length),
                )
            )
            if state.delay:
                time.sleep(state.delay)
            status, body = state.answers.pop(0) if state.answers else (200, {"errcode": 0})
            data = json.dumps(body).encode() if isinstance(body, dict) else body
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()
