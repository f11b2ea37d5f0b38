"""Logs never carry a resident's tracking code, phone number or e-mail address.

No Civicloop logger writes them (docs/privacy.md), but some lines are written by
others: Django's ``django.request`` logger names the path of every 4xx and 5xx
answer (``Bad Request: /track/<code>/rate/``), gunicorn's access log names the
path and the referring page of every request (the tracking page's own photos and
scripts are fetched with ``Referer: …/track/<code>/``), and an exception's text
may quote a value. :class:`RedactFilter` sits on the one console handler
(``settings.LOGGING``) and :func:`redact` is used by the gunicorn logger of
``deploy/gunicorn.conf.py``: the code in a tracking path becomes ``…``, a mobile
number or an e-mail address becomes ``[phone]`` or ``[e-mail]``.
"""

from __future__ import annotations

import logging
import re

#: ``/track/<code>`` in a path or address (the portal's tracking and rating pages).
TRACK_PATH = re.compile(r"(/track/)(?!…)[^/?#\s\"']+", re.IGNORECASE)
#: ``?code=<code>`` (the lookup form of the tracking page sends the code as a query; a
#: bare query string starts with ``code=``).
CODE_QUERY = re.compile(r"((?:^|[?&\s])code=)[^&#\s\"']+", re.IGNORECASE)
#: A mainland mobile number (11 digits from 13… to 19…, optionally +86), not inside a
#: longer run of digits (case numbers, timestamps).
MOBILE = re.compile(r"(?<![\d])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?![\d])")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def redact(text: str) -> str:
    """``text`` without tracking codes in tracking paths, mobile numbers and e-mails."""
    if not text:
        return text
    text = TRACK_PATH.sub(r"\1…", text)
    text = CODE_QUERY.sub(r"\1…", text)
    text = MOBILE.sub("[phone]", text)
    return EMAIL.sub("[e-mail]", text)


class RedactFilter(logging.Filter):
    """Rewrites a record's message (and its traceback text) through :func:`redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


try:  # gunicorn is the production server (deploy/gunicorn.conf.py); not needed otherwise
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = None

if _GunicornLogger is not None:

    class GunicornLogger(_GunicornLogger):
        """gunicorn's logger, with every text of an access-log line (request line, path,
        query, referer, headers) and every error line passed through :func:`redact`."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            for key, value in atoms.items():
                if isinstance(value, str):
                    atoms[key] = redact(value)
            return atoms

        def setup(self, cfg):
            super().setup(cfg)
            for handler in self.error_log.handlers:
                handler.addFilter(RedactFilter())
