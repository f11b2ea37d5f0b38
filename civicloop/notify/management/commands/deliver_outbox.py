"""Deliver the outbox: one batch (``--once``) or in a loop.

Several of these (and ``manage.py worker``) may run at once: each message is
claimed by one process only (see ``civicloop.notify.delivery``). Stop it at
any moment; a message it had claimed but not sent is picked up again when its
lease expires (``NOTIFY_LEASE_SECONDS``).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection
from django.utils.translation import gettext as _

from civicloop.notify.delivery import deliver_due


class Command(BaseCommand):
    help = "Send due notifications from the outbox, with retries and back-off."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Deliver one batch and exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=5.0,
            help="Seconds to wait when nothing is due (default 5).",
        )
        parser.add_argument(
            "--limit", type=int, default=100, help="Messages per batch (default 100)."
        )

    def handle(self, *args, once: bool, interval: float, limit: int, **options):
        if limit < 1 or interval < 0:
            raise CommandError(_("--limit must be at least 1 and --interval not negative."))
        try:
            while True:
                report = deliver_due(limit=limit)
                if report.claimed or once:
                    self.stdout.write(_("Outbox: %(report)s.") % {"report": report})
                for message_id, error in report.errors:
                    self.stderr.write(f"  #{message_id}: {error}")
                if once:
                    return
                # Like a request's end: drop a connection that is broken or too
                # old (never one inside a transaction, as in tests).
                if not connection.in_atomic_block:
                    close_old_connections()
                # A full batch means more may be due: go on at once.
                if report.claimed < limit:
                    time.sleep(interval)
        except KeyboardInterrupt:
            self.stdout.write(_("Stopped."))
