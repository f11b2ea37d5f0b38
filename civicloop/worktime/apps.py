"""App configuration of the work calendar."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorktimeConfig(AppConfig):
    name = "civicloop.worktime"
    verbose_name = _("Work calendar")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the cache receivers)
