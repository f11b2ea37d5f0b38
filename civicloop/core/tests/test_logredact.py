"""Tracking codes, mobile numbers and e-mails are taken out of log lines (docs/privacy.md)."""

import datetime
import logging
from types import SimpleNamespace

from civicloop.core.logredact import GunicornLogger, RedactFilter, redact


def test_redact_paths_queries_phones_and_emails():
    assert redact("Bad Request: /track/ABCD234567/rate/") == "Bad Request: /track/…/rate/"
    assert redact("GET /track/?code=ABCD234567&x=1 HTTP/1.1") == "GET /track/?code=…&x=1 HTTP/1.1"
    assert redact("call 13812345678 or +86 138-1234-5678") == "call [phone] or [phone]"
    assert redact("mail zs.li+x@example.com.cn now") == "mail [e-mail] now"
    # Case numbers, timestamps and other paths are left alone.
    kept = "case E0102202011180007 at 1764590000123 on /console/cases/12/ /track/"
    assert redact(kept) == kept
    assert redact("") == ""


def test_filter_rewrites_message_args_and_traceback():
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1,
                               "Not Found: %s", ("/track/ABCD234567/",), None)  # fmt: skip
    assert RedactFilter().filter(record) is True
    assert record.getMessage() == "Not Found: /track/…/"
    try:
        raise ValueError("phone 13812345678")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    RedactFilter().filter(record)
    assert "13812345678" not in record.exc_text and "[phone]" in record.exc_text


def test_gunicorn_access_line_is_redacted():
    from gunicorn.config import Config

    logger = GunicornLogger(Config())
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/track/ABCD234567/", "SERVER_PROTOCOL":
               "HTTP/1.1", "PATH_INFO": "/track/ABCD234567/", "QUERY_STRING": "code=ABCD234567",
               "HTTP_REFERER": "https://x/track/ABCD234567/", "REMOTE_ADDR": "1.2.3.4"}  # fmt: skip
    resp = SimpleNamespace(status="200 OK", headers=[], sent=10)
    req = SimpleNamespace(headers=[("REFERER", "https://x/track/ABCD234567/")])
    atoms = logger.atoms(resp, req, environ, datetime.timedelta(seconds=1))
    line = " ".join(str(v) for v in atoms.values())
    assert "ABCD234567" not in line
    assert atoms["r"] == "GET /track/…/ HTTP/1.1" and atoms["f"] == "https://x/track/…/"
