"""Delivering the outbox: claim due messages, send them, record the outcome.

Several worker processes may run :func:`deliver_due` at once; a message is
sent by one of them only:

1. **Claim** (:func:`claim_due`, one short transaction). On databases with
   ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL) the due rows are locked,
   skipping rows another worker is claiming; on SQLite each row is claimed
   with a compare-and-set ``UPDATE … WHERE id = ? AND claim_token = <old> AND
   state = 'pending' AND next_attempt_at <= now``. A claim writes a fresh
   ``claim_token`` and pushes ``next_attempt_at`` forward by the lease
   (``NOTIFY_LEASE_SECONDS``), so the message is no longer due for anyone else.
2. **Send** each message outside any transaction. Just before sending, the
   worker renews its lease with another compare-and-set on its token; if it
   lost the claim (its lease ran out and another worker claimed the message)
   it leaves the message alone.
3. **Record** the outcome, again only while the token is still the worker's:
   sent (``sent_at``), or a failure (``attempts`` + 1, ``last_error``, the next
   attempt after a back-off of 1, 2, 4, 8 … minutes capped at one hour), or
   given up (state failed) after ``NOTIFY_MAX_ATTEMPTS`` attempts.

A worker killed at any moment loses nothing: a claimed message it did not
record becomes due again when its lease expires. Delivery is therefore at
least once: a worker killed after the robot accepted a message but before
recording it makes the message go out again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Channel, OutboxMessage

logger = logging.getLogger(__name__)

#: WeCom refuses markdown content longer than this many UTF-8 bytes.
WECOM_MARKDOWN_MAX_BYTES = 4096
#: How much of an error response's body is kept in ``last_error``.
ERROR_BODY_CHARS = 300


class DeliveryError(Exception):
    """A message could not be delivered; the text is stored as ``last_error``."""


@dataclass
class DeliveryReport:
    """What one call of :func:`deliver_due` did."""

    claimed: int = 0
    sent: int = 0
    #: Failed this time, another attempt is scheduled.
    retrying: int = 0
    #: Failed for the last time (state failed).
    failed: int = 0
    #: Claimed, but the claim was lost before sending (lease ran out).
    skipped: int = 0
    #: ``(message id, error)`` for every failure of this call.
    errors: list[tuple[int, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return _(
            "claimed %(claimed)d, sent %(sent)d, retrying %(retrying)d, "
            "failed %(failed)d, skipped %(skipped)d"
        ) % {
            "claimed": self.claimed,
            "sent": self.sent,
            "retrying": self.retrying,
            "failed": self.failed,
            "skipped": self.skipped,
        }


# --- settings ----------------------------------------------------------------


def max_attempts() -> int:
    return settings.NOTIFY_MAX_ATTEMPTS


def http_timeout() -> float:
    return float(settings.NOTIFY_HTTP_TIMEOUT)


def lease() -> timedelta:
    return timedelta(seconds=float(settings.NOTIFY_LEASE_SECONDS))


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 1, 2, 4, 8 … min, at most 1 h."""
    base = float(settings.NOTIFY_BACKOFF_SECONDS)
    cap = float(settings.NOTIFY_BACKOFF_MAX_SECONDS)
    exponent = min(max(attempts, 1) - 1, 30)
    return timedelta(seconds=min(base * 2**exponent, cap))


# --- claiming ----------------------------------------------------------------


def _due(now: datetime):
    return OutboxMessage.objects.filter(
        state=OutboxMessage.State.PENDING, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "id")


def _candidates(now: datetime, limit: int) -> list[tuple[int, str]]:
    """Due messages as ``(id, claim_token)``: what a compare-and-set claim expects."""
    return list(_due(now).values_list("id", "claim_token")[:limit])


def _claim_compare_and_set(candidates: list[tuple[int, str]], now: datetime, token: str) -> None:
    """Claim each candidate that is still as it was read (SQLite and the like)."""
    until = now + lease()
    with transaction.atomic():
        for message_id, old_token in candidates:
            OutboxMessage.objects.filter(
                id=message_id,
                claim_token=old_token,
                state=OutboxMessage.State.PENDING,
                next_attempt_at__lte=now,
            ).update(claim_token=token, next_attempt_at=until)


def _claim_skip_locked(now: datetime, limit: int, token: str) -> None:
    """Lock due rows nobody else is claiming, and claim them (PostgreSQL)."""
    with transaction.atomic():
        ids = list(
            _due(now).select_for_update(skip_locked=True).values_list("id", flat=True)[:limit]
        )
        if ids:
            OutboxMessage.objects.filter(id__in=ids).update(
                claim_token=token, next_attempt_at=now + lease()
            )


def claim_due(now: datetime | None = None, limit: int = 100) -> list[OutboxMessage]:
    """Claim up to ``limit`` due pending messages for this worker, oldest first.

    The returned messages carry the worker's ``claim_token`` and their
    ``next_attempt_at`` is the end of the lease. No other call of
    ``claim_due`` returns them until the lease has expired.
    """
    now = now or timezone.now()
    if limit <= 0:
        return []
    token = uuid.uuid4().hex
    if connection.features.has_select_for_update_skip_locked:
        _claim_skip_locked(now, limit, token)
    else:
        _claim_compare_and_set(_candidates(now, limit), now, token)
    return list(
        OutboxMessage.objects.filter(claim_token=token)
        .select_related("channel")
        .order_by("next_attempt_at", "id")
    )


def _still_mine(message: OutboxMessage, now: datetime) -> bool:
    """Renew the claim just before sending; False when another worker has taken it."""
    return bool(
        OutboxMessage.objects.filter(
            id=message.id, claim_token=message.claim_token, state=OutboxMessage.State.PENDING
        ).update(next_attempt_at=now + lease())
    )


# --- recording ---------------------------------------------------------------


def record_sent(message: OutboxMessage, now: datetime) -> bool:
    """Mark a claimed message sent; False if the claim was lost meanwhile."""
    updated = OutboxMessage.objects.filter(
        id=message.id, claim_token=message.claim_token, state=OutboxMessage.State.PENDING
    ).update(state=OutboxMessage.State.SENT, sent_at=now, last_error="", claim_token="")
    if updated:
        message.state, message.sent_at, message.last_error = OutboxMessage.State.SENT, now, ""
        message.claim_token = ""
    return bool(updated)


def record_failure(
    message: OutboxMessage, error: str, now: datetime, *, final: bool = False
) -> bool:
    """Count a failed attempt: retry after the back-off, or give up.

    ``final`` gives up at once (nothing a retry could fix). Returns False if
    the claim was lost meanwhile.
    """
    attempts = message.attempts + 1
    give_up = final or attempts >= max_attempts()
    state = OutboxMessage.State.FAILED if give_up else OutboxMessage.State.PENDING
    next_attempt_at = now if give_up else now + backoff(attempts)
    updated = OutboxMessage.objects.filter(
        id=message.id, claim_token=message.claim_token, state=OutboxMessage.State.PENDING
    ).update(
        state=state,
        attempts=attempts,
        last_error=error,
        next_attempt_at=next_attempt_at,
        claim_token="",
    )
    if updated:
        message.state, message.attempts, message.last_error = state, attempts, error
        message.next_attempt_at, message.claim_token = next_attempt_at, ""
    return bool(updated)


def retry_now(queryset, now: datetime | None = None) -> int:
    """Make failed and pending messages due now (the admin's "retry now").

    A failed message gets a fresh series of attempts. Messages a worker is
    sending right now (claimed, lease not expired) are left alone, so a retry
    never makes a message go out twice. Returns how many messages were reset.
    """
    now = now or timezone.now()
    in_flight = Q(state=OutboxMessage.State.PENDING, next_attempt_at__gt=now) & ~Q(claim_token="")
    queryset = queryset.exclude(in_flight)
    pending = queryset.filter(state=OutboxMessage.State.PENDING).update(next_attempt_at=now)
    failed = queryset.filter(state=OutboxMessage.State.FAILED).update(
        state=OutboxMessage.State.PENDING, attempts=0, next_attempt_at=now, claim_token=""
    )
    return pending + failed


# --- formatting --------------------------------------------------------------


def absolute_link(link: str) -> str:
    """The link as an absolute URL: relative links are put under ``CIVICLOOP_BASE_URL``."""
    link = link.strip()
    if not link or urllib.parse.urlsplit(link).scheme in {"http", "https", "mailto"}:
        return link
    base = settings.CIVICLOOP_BASE_URL
    return base.rstrip("/") + "/" + link.lstrip("/")


def email_text(message: OutboxMessage) -> str:
    parts = [message.body.strip()]
    if link := absolute_link(message.link):
        parts.append(link)
    return "\n\n".join(p for p in parts if p)


def _link_line(message: OutboxMessage) -> str:
    link = absolute_link(message.link)
    label = _("View details")
    return f"[{label}]({link})" if link else ""


def _fit_utf8(text: str, max_bytes: int) -> str:
    """``text`` cut to at most ``max_bytes`` UTF-8 bytes, ending in "…" when cut."""
    if len(text.encode()) <= max_bytes:
        return text
    room = max(max_bytes - len("…".encode()), 0)
    return text.encode()[:room].decode(errors="ignore") + "…"


def wecom_content(message: OutboxMessage) -> str:
    """WeCom markdown: the subject in bold, the body, the link; at most 4096 bytes."""
    head = "\n".join(p for p in (f"**{message.subject.strip()}**", message.body.strip()) if p)
    tail = _link_line(message)
    if tail:
        head = _fit_utf8(head, WECOM_MARKDOWN_MAX_BYTES - len(tail.encode()) - 1)
        return f"{head}\n{tail}"
    return _fit_utf8(head, WECOM_MARKDOWN_MAX_BYTES)


def wecom_payload(message: OutboxMessage) -> dict:
    return {"msgtype": "markdown", "markdown": {"content": wecom_content(message)}}


def dingtalk_text(message: OutboxMessage) -> str:
    """DingTalk markdown: the subject as a heading, the body, the link (blank lines between)."""
    parts = (f"#### {message.subject.strip()}", message.body.strip(), _link_line(message))
    return "\n\n".join(p for p in parts if p)


def dingtalk_payload(message: OutboxMessage) -> dict:
    return {
        "msgtype": "markdown",
        "markdown": {"title": message.subject, "text": dingtalk_text(message)},
    }


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: base64 HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret.

    Returned URL-encoded, ready for the ``sign`` query parameter.
    """
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def dingtalk_url(target: str, secret: str, timestamp_ms: int | None = None) -> str:
    if not secret:
        return target
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    separator = "&" if "?" in target else "?"
    return f"{target}{separator}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


# --- sending -----------------------------------------------------------------


def _http_error(status, host: str, body: bytes | str) -> DeliveryError:
    if isinstance(body, bytes):
        body = body.decode(errors="replace")
    return DeliveryError(
        _("HTTP %(status)s from %(host)s: %(body)s")
        % {"status": status, "host": host, "body": body[:ERROR_BODY_CHARS].strip()}
    )


def idempotency_key(message: OutboxMessage) -> str:
    """The same for every attempt at one message: a receiver that sees it twice can drop the copy.

    Delivery is at least once (a worker killed between the robot's answer and
    the database's commit sends again), so every webhook POST carries it in an
    ``Idempotency-Key`` header.
    """
    return f"civicloop-outbox-{message.pk}"


def post_json(url: str, payload: dict, *, key: str = "") -> dict:
    """POST JSON to a robot webhook and return its JSON answer.

    Raises :class:`DeliveryError` on a connection error, a timeout
    (``NOTIFY_HTTP_TIMEOUT``), a status other than 2xx, or an answer that is
    not JSON. Error texts name the host only: the webhook's key stays out of
    ``last_error``.
    """
    timeout = http_timeout()
    parts = urllib.parse.urlsplit(url)
    host = parts.netloc or "?"
    if parts.scheme not in ("http", "https"):
        # urllib would also read file:// and ftp:// addresses: a webhook is http(s) only.
        raise DeliveryError(_("Invalid webhook address: %(error)s") % {"error": parts.scheme})
    too_slow = _("No answer from %(host)s within %(seconds)s s.")
    try:
        request = urllib.request.Request(
            url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers={
                "Content-Type": "application/json; charset=utf-8",
                **({"Idempotency-Key": key} if key else {}),
            },  # fmt: skip
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        raise _http_error(f"{exc.code} {exc.reason}", host, exc.read()) from exc
    except TimeoutError as exc:
        raise DeliveryError(too_slow % {"host": host, "seconds": timeout}) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise DeliveryError(too_slow % {"host": host, "seconds": timeout}) from exc
        raise DeliveryError(
            _("Cannot connect to %(host)s: %(reason)s") % {"host": host, "reason": exc.reason}
        ) from exc
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryError(
            _("Cannot connect to %(host)s: %(reason)s")
            % {"host": host, "reason": f"{type(exc).__name__}: {exc}"}
        ) from exc
    except ValueError as exc:
        raise DeliveryError(_("Invalid webhook address: %(error)s") % {"error": exc}) from exc
    if not 200 <= status < 300:
        raise _http_error(status, host, body)
    try:
        answer = json.loads(body)
    except ValueError as exc:
        raise DeliveryError(
            _("The robot's answer is not JSON: %(body)s")
            % {"body": body.decode(errors="replace")[:ERROR_BODY_CHARS]}
        ) from exc
    return answer if isinstance(answer, dict) else {"errmsg": str(answer)[:ERROR_BODY_CHARS]}


def _check_errcode(answer: dict) -> None:
    if answer.get("errcode") != 0:
        raise DeliveryError(
            _("The robot refused the message: errcode %(errcode)s, %(errmsg)s")
            % {"errcode": answer.get("errcode"), "errmsg": answer.get("errmsg", "")}
        )


def send_email(message: OutboxMessage) -> None:
    recipients = [a.strip() for a in re.split(r"[,;\s]+", message.channel.target) if a.strip()]
    if not recipients:
        raise DeliveryError(_("The channel has no e-mail address."))
    subject = " ".join(message.subject.split())
    try:
        send_mail(
            subject,
            email_text(message),
            settings.DEFAULT_FROM_EMAIL,
            recipients,
            fail_silently=False,
        )
    except Exception as exc:  # any backend: SMTP, console, third-party
        raise DeliveryError(
            _("E-mail not sent: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"}
        ) from exc


def send_wecom(message: OutboxMessage) -> None:
    _check_errcode(
        post_json(message.channel.target, wecom_payload(message), key=idempotency_key(message))
    )


def send_dingtalk(message: OutboxMessage) -> None:
    channel = message.channel
    url = dingtalk_url(channel.target, channel.secret)
    _check_errcode(post_json(url, dingtalk_payload(message), key=idempotency_key(message)))


SENDERS: dict[str, Callable[[OutboxMessage], None]] = {
    Channel.Kind.EMAIL: send_email,
    Channel.Kind.WECOM: send_wecom,
    Channel.Kind.DINGTALK: send_dingtalk,
}


def send_message(message: OutboxMessage) -> None:
    """Send one message through its channel now; raise :class:`DeliveryError` on failure."""
    sender = SENDERS.get(message.channel.kind)
    if sender is None:
        raise DeliveryError(_("Unknown channel kind “%(kind)s”.") % {"kind": message.channel.kind})
    sender(message)


# --- the loop ----------------------------------------------------------------


def deliver_due(now: datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Claim up to ``limit`` due messages and send them; safe with several workers.

    ``now`` fixes the clock for claiming, leases, back-off and ``sent_at``
    (tests); by default the current time is read at each step. Call it outside
    a transaction: each claim and each outcome is committed on its own.
    """

    def clock() -> datetime:
        return now if now is not None else timezone.now()

    report = DeliveryReport()
    messages = claim_due(clock(), limit)
    report.claimed = len(messages)
    for message in messages:
        if not _still_mine(message, clock()):
            report.skipped += 1
            continue
        if not message.channel.is_active:
            error, final = _("The channel is switched off."), True
        else:
            try:
                send_message(message)
            except DeliveryError as exc:
                error, final = str(exc), False
            except Exception as exc:  # a bug in a sender must not stop the batch
                logger.exception("notify: sending message %s failed", message.id)
                error, final = f"{type(exc).__name__}: {exc}", False
            else:
                if record_sent(message, clock()):
                    report.sent += 1
                else:
                    report.skipped += 1
                    logger.warning(
                        "notify: message %s was sent after its claim was lost", message.id
                    )
                continue
        if not record_failure(message, error, clock(), final=final):
            report.skipped += 1
            continue
        report.errors.append((message.id, error))
        if message.state == OutboxMessage.State.FAILED:
            report.failed += 1
            logger.error("notify: message %s failed for good: %s", message.id, error)
        else:
            report.retrying += 1
            logger.warning("notify: message %s failed, retry at %s: %s", message.id,
                           message.next_attempt_at.isoformat(), error)  # fmt: skip
    return report
