"""Open311 clients in the admin: a key is generated on creation and shown once."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import Open311Client, Open311Request


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "contact", "key_hint", "is_active", "created_at", "last_used_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "contact"]
    readonly_fields = ["key_hint", "created_at", "last_used_at"]
    fields = ["name", "contact", "is_active", "key_hint", "created_at", "last_used_at"]
    actions = ["issue_new_keys"]

    def save_model(self, request, obj, form, change):
        if not change:
            key = obj.set_key()
            super().save_model(request, obj, form, change)
            self._show_key(request, obj, key)
        else:
            super().save_model(request, obj, form, change)

    def _show_key(self, request, obj, key):
        messages.warning(
            request,
            _("API key of %(name)s: %(key)s — copy it now, it is not shown again.")
            % {"name": obj.name, "key": key},
        )

    @admin.action(description=_("Issue new keys (the old keys stop working)"))
    def issue_new_keys(self, request, queryset):
        for client in queryset:
            key = client.set_key()
            client.save(update_fields=["key_hash", "key_hint"])
            self._show_key(request, client, key)
        self.message_user(request, _("Keys issued: %(n)d.") % {"n": queryset.count()})


@admin.register(Open311Request)
class Open311RequestAdmin(admin.ModelAdmin):
    list_display = ["case", "client", "account_id", "device_id", "created_at"]
    list_filter = ["client"]
    search_fields = ["case__number", "account_id", "device_id", "token"]
    list_select_related = ["case", "client"]
    readonly_fields = [f.name for f in Open311Request._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
