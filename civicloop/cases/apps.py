from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "civicloop.cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from .models import LoopConfig

        post_save.connect(
            LoopConfig.clear_cache, sender=LoopConfig, dispatch_uid="loopconfig-cache"
        )
        post_delete.connect(
            LoopConfig.clear_cache, sender=LoopConfig, dispatch_uid="loopconfig-cache-delete"
        )

        from . import hooks, memos

        memos.connect()  # the catalogue kept in memory follows every change

        hooks.register()  # org's category check (org sits below cases)
