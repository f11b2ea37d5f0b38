"""manage.py demo: build (or reuse) the Erqi demo dataset and print the logins."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civicloop.demo.builder import DemoRefused, build


class Command(BaseCommand):
    help = _("Build the Erqi demo dataset (reused when present) and print the demo logins.")

    def handle(self, *args, **options) -> None:
        try:
            report = build()
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        if report.reused:
            self.stdout.write(_("The Erqi demo data is already there; reusing it."))
        else:
            self.stdout.write(self.style.SUCCESS(_("Built the Erqi demo data.")))
        for name, count in report.counts.items():
            self.stdout.write(f"  {name}: {count}")
        self.stdout.write("")
        url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/admin/"
        self.stdout.write(
            _("Sign in at %(url)s with password %(p)s:") % {"url": url, "p": report.password}
        )
        for role, username, unit in report.logins:
            self.stdout.write(f"  {username:<16} {role}" + (f"（{unit}）" if unit else ""))
