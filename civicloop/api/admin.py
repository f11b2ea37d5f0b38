"""Admin for API tokens: issue one (the key is shown once), see when it was used, revoke."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .actions import issue_token, revoke_token
from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "user", "created", "last_used", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["name", "prefix", "user__username"]
    autocomplete_fields = ["user"]
    readonly_fields = ["prefix", "created", "last_used", "revoked", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name"]
        return ["user", "name", "prefix", "created", "last_used", "revoked", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["user", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            ApiToken.objects.filter(pk=obj.pk).update(name=obj.name)
            return
        token, key = issue_token(obj.user, obj.name)
        obj.pk = token.pk
        obj.__dict__.update({f: getattr(token, f) for f in ("prefix", "key_hash", "created")})
        self.message_user(
            request,
            _("The new token is %(key)s — copy it now, it will not be shown again.") % {"key": key},
            messages.WARNING,
        )

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the row keeps when the token was used

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        count = sum(revoke_token(pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", count) % {"n": count},
            messages.SUCCESS,
        )
