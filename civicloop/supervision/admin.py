"""Admin: the office's settings (weights, colour and chasing rules), campaigns; history read-only."""

from django.contrib import admin

from civicloop.org.admin import RoleByName

from .models import (
    Campaign,
    CampaignRow,
    ExtensionRequest,
    Inspection,
    InspectionProblem,
    Item,
    ItemEvent,
    SupervisionSettings,
)


@admin.register(SupervisionSettings)
class SupervisionSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "office", "blue_days", "chase_every_days", "interview_after_reds",
                    "case_weight", "list_size"]  # fmt: skip

    def has_add_permission(self, request):
        return not SupervisionSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnly(admin.ModelAdmin):
    """History and lifecycle rows change only through the actions."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Item)
class ItemAdmin(ReadOnly):
    list_display = ["number", "title", "lead_unit", "person", "deadline", "state", "colour"]
    list_filter = ["state", "colour", "source"]
    search_fields = ["number", "title"]
    list_select_related = ["lead_unit", "person"]


@admin.register(ItemEvent)
class ItemEventAdmin(RoleByName, ReadOnly):
    list_display = ["item", "at", "action", "actor_name", "role_name"]
    list_filter = ["action"]
    list_select_related = ["item"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnly):
    list_display = ["item", "new_deadline", "status", "requested_at"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "deadline", "row_noun", "channel"]
    search_fields = ["code", "name"]


@admin.register(CampaignRow)
class CampaignRowAdmin(ReadOnly):
    list_display = ["campaign", "key", "name", "unit", "deadline", "done", "colour"]
    list_filter = ["campaign", "done", "colour"]
    list_select_related = ["campaign", "unit"]


class ProblemInline(admin.TabularInline):
    model = InspectionProblem
    extra = 0
    can_delete = False
    readonly_fields = ["seq", "text", "unit", "deadline", "outcome", "case", "item"]
    fields = readonly_fields


@admin.register(Inspection)
class InspectionAdmin(ReadOnly):
    list_display = ["title", "on", "leader"]
    inlines = [ProblemInline]
