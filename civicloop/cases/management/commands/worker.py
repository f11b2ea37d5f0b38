"""``manage.py worker``: the case clock and the outbox, in a loop.

Each pass (:func:`civicloop.cases.timekeeping.run_pass`) turns lights, sends
near-deadline reminders and overdue escalations, and delivers the outbox;
it prints one line with its counts. ``--once`` runs one pass; otherwise the
loop waits ``--interval`` seconds between passes.

Run as many of these as you like: every change is a compare-and-set (and a
``SKIP LOCKED`` claim on PostgreSQL), so no case is changed twice and no
message is queued twice. SIGTERM or SIGINT (Ctrl-C) lets the current case
finish and stops the worker; a second signal stops it at once. Killed
outright, it loses nothing: the next pass finds what is still due.
"""

from __future__ import annotations

import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civicloop.cases.timekeeping import BATCH_SIZE, run_pass
from civicloop.core import periodic
from civicloop.core.models import Heartbeat

logger = logging.getLogger("civicloop.worker")


class Command(BaseCommand):
    help = (
        "Turn case lights yellow and red, send near-deadline reminders and overdue "
        "escalations, and deliver the outbox; in a loop, or once."
    )
    #: Set by SIGTERM/SIGINT; its ``wait`` is the pause between passes.
    stop_event_class = threading.Event

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=30.0,
            help="Seconds between passes (default 30).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"Cases read per query (default {BATCH_SIZE}).",
        )
        parser.add_argument(
            "--delivery-limit",
            type=int,
            default=100,
            help="Outbox messages delivered per pass at most (default 100).",
        )

    def handle(self, *args, once, interval, batch_size, delivery_limit, **options):
        if interval < 0 or batch_size < 1 or delivery_limit < 1:
            raise CommandError(
                _("--interval must not be negative; --batch-size and --delivery-limit at least 1.")
            )
        stop = self.stop_event_class()
        previous = self._install_signal_handlers(stop)
        try:
            with translation.override(settings.LANGUAGE_CODE):
                self._loop(stop, once, interval, batch_size, delivery_limit)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _loop(self, stop, once, interval, batch_size, delivery_limit):
        while not stop.is_set():
            started = timezone.now()
            try:
                # Passes of upper apps (supervision …), registered in their ready().
                extra = periodic.run_all(should_stop=stop.is_set)
                report = run_pass(
                    batch_size=batch_size, delivery_limit=delivery_limit, should_stop=stop.is_set
                )
            except Exception:
                if once:
                    raise
                # A lost database connection or the like: log it, try again later.
                logger.exception("worker: the pass failed")
            else:
                stamp = timezone.localtime(started).strftime("%Y-%m-%d %H:%M:%S")
                text = "; ".join([str(report), *(str(r) for _n, r in extra if r is not None)])
                Heartbeat.beat("worker", note=text[:200])
                self.stdout.write(_("%(time)s worker pass: %(report)s.") % {
                    "time": stamp, "report": text})  # fmt: skip
                for message_id, error in report.delivery.errors if report.delivery else ():
                    self.stderr.write(f"  #{message_id}: {error}")
            if once or stop.is_set():
                break
            # Like the end of a request: drop a connection that is broken or too
            # old (never one inside a transaction, as under a test).
            if not connection.in_atomic_block:
                close_old_connections()
            stop.wait(interval)
        if stop.is_set():
            self.stdout.write(_("Worker stopped."))

    def _install_signal_handlers(self, stop: threading.Event) -> dict:
        """SIGTERM and SIGINT set ``stop``; a second one stops at once."""
        if threading.current_thread() is not threading.main_thread():
            return {}  # signals can only be handled in the main thread

        def handler(signum, frame):
            if stop.is_set():
                raise KeyboardInterrupt
            stop.set()

        previous = {}
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.getsignal(signum)
            signal.signal(signum, handler)
        return previous
