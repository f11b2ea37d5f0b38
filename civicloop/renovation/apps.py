from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RenovationConfig(AppConfig):
    name = "civicloop.renovation"
    verbose_name = _("Renovation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from civicloop.core import periodic

        from . import hooks, late

        hooks.on_item_late(late.raise_supervision_item)
        periodic.register("renovation", late.late_pass)
