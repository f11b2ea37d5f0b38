from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "civicloop.geo"
    verbose_name = _("Places")

    def ready(self) -> None:
        from . import signals

        signals.connect()
