"""manage.py renovation_late: raise every work item late against its batch deadline (once each)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from civicloop.renovation.hooks import raise_late_items


class Command(BaseCommand):
    help = _("Announce renovation work items that passed their batch deadline unfinished.")

    def handle(self, *args, **options) -> None:
        raised = raise_late_items()
        self.stdout.write(_("%(n)d late work item(s) raised.") % {"n": raised})
