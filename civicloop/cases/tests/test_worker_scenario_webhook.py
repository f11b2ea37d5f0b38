"""Whole scenario: the worker escalates an overdue case and delivers the WeCom
message to a local test receiver, retrying after the receiver first fails."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from civicloop.cases.models import Case
from civicloop.cases.timekeeping import run_pass
from civicloop.notify.models import Channel, OutboxMessage

from .test_worker_support import dispatched, hours, minutes, pass_time, worker_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    """A WeCom robot on 127.0.0.1: 500 the first time, ``{"errcode": 0}`` after."""
    received = []  # (status answered, JSON body)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if not received:
                status, answer = 500, b"internal error"
            else:
                status, answer = 200, json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
            received.append((status, self.path, self.headers["Content-Type"], body))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_overdue_case_escalated_and_webhook_delivered_after_a_retry(loop, receiver, settings):
    settings.CIVICLOOP_BASE_URL = "https://cg.example.cn"
    settings.NOTIFY_HTTP_TIMEOUT = 5
    url, received = receiver
    now = pass_time()
    case = dispatched(loop, now - hours(7))  # the 6-hour limit ran out an hour ago
    # The west street office's work group (set up after the dispatch, so the
    # escalation is the only message it gets).
    channel = Channel.objects.create(
        unit=loop["offices"]["west"], kind=Channel.Kind.WECOM, name="西街道专项工作群",
        target=f"{url}/cgi-bin/webhook/send?key=test-key",
    )  # fmt: skip

    # First pass: red, overdue, escalated to leader_west; the robot answers 500.
    report = run_pass(now)
    assert (report.red, report.overdue, report.escalated_to_leader) == (1, 1, 1)
    assert (report.delivery.claimed, report.delivery.sent, report.delivery.retrying) == (1, 0, 1)
    case = Case.objects.get(pk=case.pk)
    assert case.light == "red" and case.is_overdue and case.escalation_level == 2
    escalation = OutboxMessage.objects.get(channel=channel)
    assert escalation.state == OutboxMessage.State.PENDING and escalation.attempts == 1
    assert escalation.next_attempt_at == now + minutes(1)  # the first back-off
    assert escalation.last_error.startswith("HTTP 500")
    assert [status for status, *_ in received] == [500]

    # Before the back-off is over nothing is sent; after it, the message goes out.
    assert run_pass(now + minutes(0.5)).delivery.claimed == 0
    report = run_pass(now + minutes(1))
    assert report.changes == 0  # the case is not escalated again
    assert (report.delivery.claimed, report.delivery.sent) == (1, 1)
    escalation.refresh_from_db()
    assert escalation.state == OutboxMessage.State.SENT
    assert escalation.sent_at == now + minutes(1) and escalation.last_error == ""
    assert run_pass(now + hours(1)).delivery.claimed == 0

    assert [status for status, *_ in received] == [500, 200]
    assert received[0][3] == received[1][3]  # the same JSON, retried
    body = received[1][3]  # the WeCom JSON, delivered once successfully
    assert body["msgtype"] == "markdown" and set(body) == {"msgtype", "markdown"}
    content = body["markdown"]["content"]
    assert content.startswith(f"**Overdue: case {case.number}, for the attention of leader_west**")
    assert "西街道办事处" in content and "测试路1号" in content
    assert content.endswith(f"(https://cg.example.cn/console/cases/{case.pk}/)")
    assert all(path == "/cgi-bin/webhook/send?key=test-key" for _s, path, *_ in received)
    assert all(ctype == "application/json; charset=utf-8" for _s, _p, ctype, _b in received)

    [event] = worker_events(case, "escalate")
    assert event.data["dedupe_key"] == escalation.dedupe_key
