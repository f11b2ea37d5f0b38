"""Admin for the catalogue: classes, small classes, filing standards and time limits."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from civicloop.cases.models import CategoryClass, FilingStandard, SmallClass, TimeLimit


@admin.register(CategoryClass)
class CategoryClassAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "family", "code", "local", "is_active"]
    list_display_links = ["prefix", "name"]
    list_filter = ["family", "is_active"]
    search_fields = ["code", "name"]
    ordering = ["family", "code"]

    @admin.display(description=_("code"), ordering="code")
    def prefix(self, obj: CategoryClass) -> str:
        return obj.prefix

    @admin.display(description=_("local"), boolean=True)
    def local(self, obj: CategoryClass) -> bool:
        return obj.is_local


class OneDefaultFormSet(BaseInlineFormSet):
    """Refuse two standards of one small class marked as default in the same form."""

    def clean(self) -> None:
        super().clean()
        defaults = [
            form
            for form in self.forms
            if form.cleaned_data.get("is_default") and not form.cleaned_data.get("DELETE")
        ]
        if len(defaults) > 1:
            raise ValidationError(_("Mark at most one standard as the default."))


class FilingStandardInline(admin.StackedInline):
    model = FilingStandard
    formset = OneDefaultFormSet
    fields = [
        ("code", "order", "is_default", "is_active"),
        "condition",
        "closure_condition",
        "note",
    ]
    extra = 0
    show_change_link = True


@admin.register(SmallClass)
class SmallClassAdmin(admin.ModelAdmin):
    list_display = ["full_code", "name", "category_class", "keywords", "is_active"]
    list_display_links = ["full_code", "name"]
    list_select_related = ["category_class"]
    list_filter = ["category_class__family", "category_class", "is_active"]
    search_fields = ["full_code", "name", "keywords"]
    readonly_fields = ["full_code"]
    fields = ["category_class", "code", "full_code", "name", "keywords", "description", "is_active"]
    inlines = [FilingStandardInline]
    ordering = ["full_code"]


class TimeLimitInline(admin.TabularInline):
    model = TimeLimit
    fields = ["area_class", "urgency", "amount", "unit"]
    extra = 0


@admin.register(FilingStandard)
class FilingStandardAdmin(admin.ModelAdmin):
    list_display = ["code", "small_class", "condition", "order", "is_default", "is_active"]
    list_display_links = ["code"]
    list_select_related = ["small_class"]
    list_filter = [
        "small_class__category_class__family",
        "small_class__category_class",
        "is_default",
        "is_active",
    ]
    search_fields = [
        "code",
        "condition",
        "closure_condition",
        "small_class__full_code",
        "small_class__name",
    ]
    autocomplete_fields = ["small_class"]
    fields = [
        "small_class",
        ("code", "order", "is_default", "is_active"),
        "condition",
        "closure_condition",
        "note",
    ]
    inlines = [TimeLimitInline]
    ordering = ["code"]
