"""manage.py demo: build (or reuse) the Erqi demo dataset and print the logins."""

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civicloop.demo import renovation
from civicloop.demo import supervision as supervision_demo
from civicloop.demo.builder import DemoRefused, build, counts
from civicloop.demo.history import default_days, default_per_day, fast_sqlite
from civicloop.demo.open311 import ensure_demo_client


class Command(BaseCommand):
    help = _("Build the Erqi demo dataset (reused when present) and print the demo logins.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None,
            help=_("Days of synthetic case history ending today (default %(d)s; 0: none).")
            % {"d": default_days()},
        )  # fmt: skip
        parser.add_argument(
            "--per-day", type=int, default=None,
            help=_("Average reports a day in the history (default %(n)s).")
            % {"n": default_per_day()},
        )  # fmt: skip
        parser.add_argument(
            "--seed", type=int, default=27, help=_("Seed of the history (same seed, same cases).")
        )
        parser.add_argument(
            "--migrate", action="store_true",
            help=_("Apply the migrations first, as manage.py migrate does (with its system "
                   "checks), in the same process."),
        )  # fmt: skip

    def handle(self, *args, **options) -> None:
        days, per_day = options["days"], options["per_day"]
        if days is not None and days < 0 or per_day is not None and per_day < 1:
            raise CommandError(_("--days must be 0 or more and --per-day 1 or more."))
        if options["migrate"]:  # make demo: one process (one start of Django) instead of two
            call_command("migrate", interactive=False, skip_checks=False,
                         stdout=self.stdout, stderr=self.stderr)  # fmt: skip
        started = time.monotonic()
        with fast_sqlite():  # SQLite: journal in memory, no syncs while building (restored)
            try:
                report = build(history=days != 0, days=days, per_day=per_day, seed=options["seed"])
            except DemoRefused as exc:
                raise CommandError(str(exc)) from exc
            # 老旧小区改造: 467 compounds and the pilot (before the campaigns: they
            # cover every unmanaged compound)
            renovation.build(stdout=self.stdout)
            supervision_demo.build(report)  # items, campaigns, the 陇海路 inspection (督查督办)
            report.counts = counts()  # the inspection wrote cases too
        if report.reused:
            self.stdout.write(_("The Erqi demo data is already there; reusing it."))
        else:
            self.stdout.write(self.style.SUCCESS(_("Built the Erqi demo data.")))
        if report.history_cases:
            self.stdout.write(
                _("Wrote %(n)d synthetic cases of history in %(s).1f s.")
                % {"n": report.history_cases, "s": time.monotonic() - started}
            )
        for name, count in report.counts.items():
            self.stdout.write(f"  {name}: {count}")
        self.stdout.write("")
        base = f"http://127.0.0.1:{settings.DEMO_PORT}"
        self.stdout.write(
            _("Staff console: %(url)s (password %(p)s for every login below)")
            % {"url": f"{base}/console/", "p": report.password}
        )
        self.stdout.write(_("Resident portal: %(url)s") % {"url": f"{base}/"})
        self.stdout.write(_("Admin: %(url)s") % {"url": f"{base}/admin/"})
        self.stdout.write(_("Field API: %(url)s") % {"url": f"{base}/api/docs"})
        self.stdout.write(
            _("Open311 GeoReport v2: %(url)s (api_key %(key)s)")
            % {"url": f"{base}/open311/v2/discovery.json", "key": ensure_demo_client()}
        )
        self.stdout.write("")
        for role, username, unit in report.logins:
            self.stdout.write(f"  {username:<16} {role}" + (f"（{unit}）" if unit else ""))
