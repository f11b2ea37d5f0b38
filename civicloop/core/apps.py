from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "civicloop.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from .checks import register_checks

        register_checks()
