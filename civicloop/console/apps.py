from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    name = "civicloop.console"
    verbose_name = _("Console")

    def ready(self):
        from django.urls import reverse

        from civicloop.cases.links import register_case_url

        # Messages about a case link to its page in the console.
        register_case_url(lambda case_id: reverse("console:case", args=[case_id]))
