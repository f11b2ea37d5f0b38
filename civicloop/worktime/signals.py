"""Signal receivers that keep the in-process calendar cache honest."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Calendar, DayOverride, WorkPeriod
from .services import clear_cache


@receiver(post_save, sender=Calendar, dispatch_uid="worktime_calendar_saved")
@receiver(post_delete, sender=Calendar, dispatch_uid="worktime_calendar_deleted")
@receiver(post_save, sender=WorkPeriod, dispatch_uid="worktime_period_saved")
@receiver(post_delete, sender=WorkPeriod, dispatch_uid="worktime_period_deleted")
@receiver(post_save, sender=DayOverride, dispatch_uid="worktime_override_saved")
@receiver(post_delete, sender=DayOverride, dispatch_uid="worktime_override_deleted")
def calendar_changed(**kwargs) -> None:
    """Clear the cache now, and again once the change is committed.

    The second clearing drops anything another thread loaded between the
    write and the commit (it would have read the old rows).
    """
    clear_cache()
    transaction.on_commit(clear_cache, using=kwargs.get("using"))
