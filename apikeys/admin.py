from django.contrib import admin

from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Support staff see and delete keys; the digest is never shown."""

    list_display = ["name", "account", "identifier", "website_login", "created", "last_used"]
    list_filter = ["website_login"]
    search_fields = ["name", "lookup", "account__username", "account__email"]
    list_select_related = ["account"]
    fields = ["account", "name", "identifier", "website_login", "created", "last_used"]
    readonly_fields = fields

    def has_add_permission(self, request):
        # Keys are created by their owner, who is the only one ever to see the secret.
        return False

    def has_change_permission(self, request, obj=None):
        return False
