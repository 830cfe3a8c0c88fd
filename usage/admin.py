from django.contrib import admin

from .models import MonthlyUsage, QuotaWarning, RollupMonth


@admin.register(MonthlyUsage)
class MonthlyUsageAdmin(admin.ModelAdmin):
    """Read-only: the rollup owns these rows."""

    list_display = ["account", "month", "service", "key_name", "domain_name", "operations", "updated"]
    list_filter = ["month", "service"]
    search_fields = ["account__username", "key_name", "domain_name"]
    list_select_related = ["account"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RollupMonth)
class RollupMonthAdmin(admin.ModelAdmin):
    list_display = ["month", "closed", "version", "rolled_up_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(QuotaWarning)
class QuotaWarningAdmin(admin.ModelAdmin):
    list_display = ["account", "month", "percent", "sent_at"]
    list_filter = ["percent", "month"]
    search_fields = ["account__username"]
    list_select_related = ["account"]
