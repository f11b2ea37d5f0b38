from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "civicloop.supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from civicloop.core import periodic

        from . import timekeeping

        periodic.register("supervision", timekeeping.run_pass)

        from civicloop.evaluation import sections

        from . import reporting

        sections.register("supervision", reporting.bulletin_section, reporting.ledger_sheet)
