from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "civicloop.open311"
    verbose_name = _("Open311")

    def ready(self) -> None:
        from civicloop.core.memo import bump_on_change

        from .models import CLIENTS_MEMO, Open311Client

        bump_on_change(CLIENTS_MEMO, [Open311Client])  # the clients kept in memory
