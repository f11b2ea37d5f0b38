from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "civicloop.org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from . import routing

        routing.connect()  # the rules kept in memory follow every change
