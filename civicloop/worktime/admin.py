"""Admin of work calendars (with their periods) and of day overrides."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Calendar, DayOverride, WorkPeriod


class WorkPeriodForm(forms.ModelForm):
    class Meta:
        model = WorkPeriod
        fields = ["start", "end"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The formset checks overlaps among all rows, edited ones included.
        self.instance._overlap_checked_by_formset = True


class WorkPeriodFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        periods = []
        for form in self.forms:
            if not form.is_valid() or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            start, end = form.cleaned_data.get("start"), form.cleaned_data.get("end")
            if start is not None and end is not None:
                periods.append((start, end))
        periods.sort()
        for (start, end), (next_start, next_end) in zip(periods, periods[1:], strict=False):
            if next_start < end:
                raise ValidationError(
                    _("The periods %(first)s and %(second)s overlap."),
                    params={
                        "first": f"{start:%H:%M}–{end:%H:%M}",
                        "second": f"{next_start:%H:%M}–{next_end:%H:%M}",
                    },
                    code="overlap",
                )


class WorkPeriodInline(admin.TabularInline):
    model = WorkPeriod
    form = WorkPeriodForm
    formset = WorkPeriodFormSet
    extra = 0
    min_num = 1


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "period_list"]
    list_filter = ["is_default"]
    search_fields = ["name", "description"]
    inlines = [WorkPeriodInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("periods")

    @admin.display(description=_("work periods"))
    def period_list(self, obj: Calendar) -> str:
        return ", ".join(str(period) for period in obj.periods.all())


@admin.register(DayOverride)
class DayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "calendar_name", "note"]
    list_filter = ["is_workday", "calendar"]
    search_fields = ["note"]
    date_hierarchy = "date"
    list_select_related = ["calendar"]
    autocomplete_fields = ["calendar"]

    @admin.display(description=_("work calendar"), ordering="calendar__name")
    def calendar_name(self, obj: DayOverride) -> str:
        return obj.calendar.name if obj.calendar else str(_("all calendars"))
