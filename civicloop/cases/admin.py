"""Admin for the catalogue: classes, small classes, filing standards and time limits."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from civicloop.cases.models import (
    Case,
    CaseEvent,
    CaseRequest,
    CategoryClass,
    FilingStandard,
    LoopConfig,
    SmallClass,
    SupervisionOrder,
    TimeLimit,
)
from civicloop.cases.permissions import actor_for, sees_reporter_contact, sees_tracking_code
from civicloop.core.admin_lists import CappedCountPaginator, choices_filter
from civicloop.org.admin import RoleByName
from civicloop.org.models import Role, role_label


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


# --- the loop ------------------------------------------------------------------
# Cases change only through civicloop.cases.actions; the admin shows them and
# their history read-only and edits only the loop settings.


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = [
        "at",
        "action",
        "from_state",
        "to_state",
        "actor_name",
        "role_name",
        "unit",
        "on_time",
        "note",
    ]
    readonly_fields = fields
    extra = 0

    @admin.display(description=_("role"))
    def role_name(self, obj) -> str:
        return role_label(obj.role)

    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "state",
        "light",
        "small_class",
        "street",
        "unit",
        "source",
        "reported_at",
    ]
    # No date_hierarchy: it reads the distinct years/months of every case
    # (seconds on a big table); the date filter below needs no query.
    list_filter = ["state", "light", "source", "urgency", "is_overdue", "reported_at"]
    search_fields = ["number", "description", "address"]
    list_select_related = ["small_class", "street", "unit"]
    show_full_result_count = False
    paginator = CappedCountPaginator
    inlines = [CaseEventInline]

    # The rule table's see rows hold here too (docs/privacy.md): a staff user with the
    # view permission but no administrator role sees no contacts and no tracking code,
    # and cannot search by a tracking code to learn which case it opens.
    def get_exclude(self, request, obj=None):
        actor = actor_for(request.user)
        hidden = (
            [] if sees_reporter_contact(actor, obj)
            else ["reporter_name", "reporter_phone", "reporter_email"]
        )  # fmt: skip
        if not sees_tracking_code(actor, obj):
            hidden.append("tracking_code")
        return [*(super().get_exclude(request, obj) or ()), *hidden]

    def get_search_fields(self, request):
        fields = list(super().get_search_fields(request))
        if sees_tracking_code(actor_for(request.user)):
            fields.append("=tracking_code")
        return fields


@admin.register(CaseEvent)
class CaseEventAdmin(RoleByName, ReadOnlyAdmin):
    list_display = [
        "case", "at", "action", "from_state", "to_state", "actor_name", "role_name", "unit",
    ]  # fmt: skip
    # The role column has no choices: a value-list filter would scan the history.
    list_filter = ["action", choices_filter("role", _("role"), Role.choices)]
    search_fields = ["case__number", "actor_name", "note"]
    list_select_related = ["case", "unit"]
    show_full_result_count = False
    paginator = CappedCountPaginator
    ordering = ["-at", "-id"]


@admin.register(CaseRequest)
class CaseRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "case",
        "kind",
        "status",
        "unit",
        "hours",
        "after_deadline",
        "requested_at",
        "decided_at",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["case__number", "reason"]
    list_select_related = ["case", "unit"]
    show_full_result_count = False
    paginator = CappedCountPaginator
    ordering = ["-id"]  # indexed (requested_at alone is not)


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(ReadOnlyAdmin):
    list_display = ["case", "unit", "status", "issued_at", "reply_due", "replied_at"]
    list_filter = ["status"]
    search_fields = ["case__number", "opinion", "reply"]
    list_select_related = ["case", "unit"]
    show_full_result_count = False
    paginator = CappedCountPaginator
    ordering = ["-id"]


@admin.register(LoopConfig)
class LoopConfigAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "fast_lane",
        "fast_lane_sources",
        "duplicate_radius_m",
        "duplicate_days",
    ]
    autocomplete_fields = ["supervision_office"]
    fieldsets = [
        (_("Fast lane"), {"fields": ["fast_lane", "fast_lane_sources"]}),
        (_("Duplicates"), {"fields": ["duplicate_radius_m", "duplicate_days", "public_nearby_radius_m"]}),
        (
            _("Stage limits"),
            {"fields": ["accept_minutes", "verify_minutes", "file_minutes", "dispatch_minutes",
                        "sign_minutes", "check_minutes", "close_minutes"]},
        ),
        (
            _("Reminders and escalation"),
            {"fields": ["remind_before_minutes", "escalate_after_hours", "supervision_office",
                        "require_result_photo"]},
        ),
    ]  # fmt: skip

    def has_add_permission(self, request) -> bool:
        return not LoopConfig.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
