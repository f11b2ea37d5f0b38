from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "civicloop.api"
    verbose_name = _("Field API")

    def ready(self) -> None:
        from . import auth

        auth.connect()  # tokens kept in memory follow every change
