"""Admin for units, people, memberships and responsibility rules."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Membership, Person, ResponsibilityRule, Unit, role_label


class RoleByName:
    """An admin of history rows whose ``role`` holds a role code: shown by its name."""

    readonly_fields = ["role_name"]

    @admin.display(description=_("role"), ordering="role")
    def role_name(self, obj) -> str:
        return role_label(obj.role)

    def get_fields(self, request, obj=None):
        """The role by its name, not its code."""
        fields = ["role_name" if f == "role" else f for f in super().get_fields(request, obj)]
        return list(dict.fromkeys(fields))


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("unit", "person", "patrol_area", "road_section")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "region", "phone", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "short_name")
    list_select_related = ("parent", "region")
    autocomplete_fields = ("parent", "region")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "phone", "roles", "is_active", "is_synthetic")
    list_filter = ("is_active", "is_synthetic", "memberships__role", "memberships__unit__kind")
    search_fields = ("name", "phone", "user__username", "memberships__unit__name")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("memberships__unit")

    @admin.display(description=_("roles"))
    def roles(self, person: Person) -> str:
        return "、".join(
            f"{m.unit.short_name or m.unit.name}·{m.get_role_display()}"
            for m in person.memberships.all()
        )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("person", "unit", "role", "patrol_area", "road_section", "is_active")
    list_filter = ("role", "is_active", "unit__kind")
    search_fields = ("person__name", "unit__name", "road_section__name", "patrol_area__name")
    list_select_related = ("person", "unit", "patrol_area", "road_section")
    autocomplete_fields = ("person", "unit", "patrol_area", "road_section")


@admin.register(ResponsibilityRule)
class ResponsibilityRuleAdmin(admin.ModelAdmin):
    list_display = ("category_code", "region", "road", "owner", "unit", "priority", "is_active")
    list_filter = ("is_active", "unit__kind", "unit")
    search_fields = ("category_code", "unit__name", "region__name", "road__name", "owner", "note")
    list_select_related = ("unit", "region", "road")
    autocomplete_fields = ("unit", "region", "road")
