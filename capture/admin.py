from django.contrib import admin

from .models import Delivery, ForwardingRule, Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Support staff look messages up; they are never edited."""

    list_display = ["public_id", "account", "kind", "subject", "size", "received"]
    list_filter = ["kind", "tls"]
    search_fields = ["public_id", "account__username", "subject", "mail_from"]
    list_select_related = ["account"]
    date_hierarchy = "received"
    exclude = ["raw"]
    readonly_fields = [
        "public_id", "account", "key", "domain", "kind", "mail_from", "rcpt_to", "subject", "headers",
        "size", "peer", "helo", "tls", "received",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ForwardingRule)
class ForwardingRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "domain", "kind", "url", "created"]
    list_filter = ["kind"]
    search_fields = ["domain__name", "domain__account__username", "url"]
    list_select_related = ["domain"]
    raw_id_fields = ["domain"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["pk", "message", "kind", "status", "attempts", "created", "delivered_at"]
    list_filter = ["status", "kind"]
    search_fields = ["message__public_id", "message__account__username", "target"]
    list_select_related = ["message"]
    readonly_fields = [
        "message",
        "rule",
        "kind",
        "target",
        "status",
        "attempts",
        "last_error",
        "created",
        "delivered_at",
    ]

    def has_add_permission(self, request):
        return False
