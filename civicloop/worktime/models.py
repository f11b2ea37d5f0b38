"""Work calendars: daily working periods and the admin-edited day overrides.

A calendar says *when* people work on a working day (its periods, e.g.
08:00–12:00 and 14:00–18:00). *Which* days are working days comes from the
chinesecalendar package (weekends, statutory holidays and make-up workdays 调休)
corrected by :class:`DayOverride` rows. The arithmetic lives in
``services.py``; these models only hold the data.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The name of the calendar ``Calendar.get_default()`` creates. It is data (the
# row's name, shown as is), not interface text, so it is not translated.
DEFAULT_CALENDAR_NAME = "默认工作日历"
DEFAULT_PERIODS = (
    (datetime.time(8, 0), datetime.time(12, 0)),
    (datetime.time(14, 0), datetime.time(18, 0)),
)


class Calendar(models.Model):
    """A named set of daily working periods; at most one is the default."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_default = models.BooleanField(
        _("default"),
        default=False,
        help_text=_("Used wherever no other calendar is chosen. Only one calendar is the default."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("work calendar")
        verbose_name_plural = _("work calendars")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="worktime_calendar_one_default",
                violation_error_message=_("Only one calendar can be the default."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        """Save; making this calendar the default takes the flag from the old one."""
        with transaction.atomic():
            if self.is_default:
                Calendar.objects.filter(is_default=True).exclude(pk=self.pk).update(
                    is_default=False
                )
            super().save(*args, **kwargs)

    @classmethod
    def get_default(cls) -> Calendar:
        """Return the default calendar, creating "默认工作日历" (08–12, 14–18) if none."""
        calendar = cls.objects.filter(is_default=True).first()
        if calendar is not None:
            return calendar
        with transaction.atomic():
            calendar, created = cls.objects.get_or_create(
                name=DEFAULT_CALENDAR_NAME, defaults={"is_default": True}
            )
            if created:
                WorkPeriod.objects.bulk_create(
                    WorkPeriod(calendar=calendar, start=start, end=end)
                    for start, end in DEFAULT_PERIODS
                )
            elif not calendar.is_default:
                calendar.is_default = True
                calendar.save(update_fields=["is_default"])
        return calendar


class WorkPeriod(models.Model):
    """One stretch of working time within a working day (no crossing midnight)."""

    calendar = models.ForeignKey(
        Calendar,
        verbose_name=_("work calendar"),
        on_delete=models.CASCADE,
        related_name="periods",
    )
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))

    class Meta:
        verbose_name = _("work period")
        verbose_name_plural = _("work periods")
        ordering = ["calendar", "start"]

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        """Check start < end and, unless a formset checks siblings, no overlap."""
        if self.start is None or self.end is None:
            return
        if self.start >= self.end:
            raise ValidationError({"end": _("The end must be later than the start.")})
        # The admin inline checks all rows of the form together (rows may be
        # swapped in one submit), and sets this flag to skip the database check.
        if getattr(self, "_overlap_checked_by_formset", False) or self.calendar_id is None:
            return
        others = WorkPeriod.objects.filter(
            calendar_id=self.calendar_id, start__lt=self.end, end__gt=self.start
        ).exclude(pk=self.pk)
        other = others.first()
        if other is not None:
            raise ValidationError(
                _("This period overlaps the period %(period)s of the same calendar."),
                params={"period": str(other)},
                code="overlap",
            )


class DayOverride(models.Model):
    """A day declared working or non-working by hand; beats chinesecalendar.

    With no calendar the override applies to every calendar; an override of a
    specific calendar beats one that applies to all.
    """

    calendar = models.ForeignKey(
        Calendar,
        verbose_name=_("work calendar"),
        on_delete=models.CASCADE,
        related_name="overrides",
        null=True,
        blank=True,
        help_text=_("Leave empty to apply to all calendars."),
    )
    date = models.DateField(_("date"))
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("day override")
        verbose_name_plural = _("day overrides")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date"],
                condition=Q(calendar__isnull=False),
                name="worktime_override_calendar_date",
                violation_error_message=_("This calendar already has an override for this date."),
            ),
            # NULLs are distinct in a unique index, so "all calendars" needs its own.
            models.UniqueConstraint(
                fields=["date"],
                condition=Q(calendar__isnull=True),
                name="worktime_override_all_calendars_date",
                violation_error_message=_(
                    "An override for all calendars already exists for this date."
                ),
            ),
        ]

    def __str__(self) -> str:
        kind = _("working day") if self.is_workday else _("day off")
        return f"{self.date:%Y-%m-%d} {kind}"
