"""Admin for channels and the outbox (read-only, with "retry now")."""

from __future__ import annotations

import urllib.parse

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import delivery
from .models import Channel, OutboxMessage
from .services import queue_for_channels


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("unit", "kind", "name", "masked_target", "is_active")
    list_filter = ("kind", "is_active", "unit__kind")
    search_fields = ("unit__name", "unit__code", "name", "target")
    list_select_related = ("unit",)
    autocomplete_fields = ("unit",)
    ordering = ("unit__name", "kind", "id")
    actions = ("send_test_message",)

    @admin.display(description=_("target"))
    def masked_target(self, channel: Channel) -> str:
        """E-mail addresses in full; webhook URLs without their key."""
        if channel.kind == Channel.Kind.EMAIL:
            return channel.target
        parts = urllib.parse.urlsplit(channel.target)
        return f"{parts.scheme}://{parts.netloc}{parts.path}" + ("?…" if parts.query else "")

    @admin.action(description=_("Send a test message"), permissions=["change"])
    def send_test_message(self, request, queryset):
        count = queue_for_channels(
            queryset.filter(is_active=True),
            str(_("Civicloop test message")),
            str(_("If you can read this, the channel works.")),
            topic="test",
        )
        self.message_user(
            request,
            _("Test messages queued: %(count)d. The worker sends them shortly.") % {"count": count},
            messages.SUCCESS,
        )


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "subject", "channel", "kind", "state", "attempts", "next_attempt_at",
                    "sent_at", "created_at")  # fmt: skip
    list_filter = ("state", "channel__kind", "created_at")
    search_fields = ("subject", "topic", "dedupe_key", "channel__unit__name", "last_error")
    list_select_related = ("channel__unit",)
    date_hierarchy = "created_at"
    readonly_fields = ("channel", "subject", "body", "link", "topic", "dedupe_key", "state",
                       "attempts", "next_attempt_at", "last_error", "created_at", "sent_at")  # fmt: skip
    fields = readonly_fields
    actions = ("retry_now",)

    @admin.display(description=_("kind"), ordering="channel__kind")
    def kind(self, message: OutboxMessage) -> str:
        return message.channel.get_kind_display()

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Messages are never edited: a message's page is read-only. The change
        # permission on the list only unlocks the "retry now" action.
        return obj is None and super().has_change_permission(request)

    @admin.action(description=_("Retry now"), permissions=["change"])
    def retry_now(self, request, queryset):
        count = delivery.retry_now(queryset)
        self.message_user(
            request,
            _("Messages to be sent again at once: %(count)d.") % {"count": count},
            messages.SUCCESS,
        )
