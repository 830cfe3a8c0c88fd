from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm

from .deletion import account_id_hash
from .models import Account, DeletionRequest, Domain, Invoice, PlanChange
from .payments import invoice_mark_paid
from .services import account_change_plan, account_plan_change_problems


class AccountAdminForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = Account

    def clean_plan(self):
        plan = self.cleaned_data["plan"]
        if self.instance.pk and plan != self.instance.plan:
            problems = account_plan_change_problems(account=self.instance, plan=plan)
            if problems:
                raise forms.ValidationError(problems)
        return plan


@admin.register(Account)
class AccountAdmin(UserAdmin):
    form = AccountAdminForm
    list_display = ["username", "email", "plan", "is_active", "date_joined", "last_login"]
    list_filter = ["plan", "is_active", "is_staff"]
    search_fields = ["username", "email", "invoice_email"]
    ordering = ["username"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Plan", {"fields": ["plan"]}),
        ("Account details", {"fields": ["email", "invoice_email", "invoice_company", "invoice_address"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["date_joined", "last_login"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "email", "plan", "password1", "password2"]}),
    ]

    def save_model(self, request, obj, form, change):
        # A plan change goes through the service, so its checks and signal apply here too.
        new_plan = obj.plan
        if change and "plan" in form.changed_data:
            obj.plan = form.initial["plan"]
        super().save_model(request, obj, form, change)
        if change and new_plan != obj.plan:
            account_change_plan(account=obj, plan=new_plan)
            obj.plan = new_plan


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "verified_at", "last_checked_at", "created"]
    list_filter = [("verified_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "account__username"]
    raw_id_fields = ["account"]
    readonly_fields = ["verification_token", "created", "updated", "last_checked_at", "last_check_error"]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "account", "period", "plan", "amount_cents", "issued", "emailed_at", "paid_at"]
    list_filter = ["plan", "period", ("paid_at", admin.EmptyFieldListFilter)]
    search_fields = ["number", "account__username", "bill_to_email", "bill_to_company"]
    raw_id_fields = ["account"]
    actions = ["mark_paid"]

    def get_readonly_fields(self, request, obj=None):
        # An issued invoice is a record: only its payment is recorded afterwards.
        return [field.name for field in Invoice._meta.fields if field.name != "paid_at"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Mark the selected invoices as paid")
    def mark_paid(self, request, queryset):
        for invoice in queryset:
            invoice_mark_paid(invoice=invoice)
        self.message_user(request, f"{queryset.count()} invoice(s) marked paid.")


@admin.register(PlanChange)
class PlanChangeAdmin(admin.ModelAdmin):
    list_display = ["account", "old_plan", "new_plan", "changed"]
    search_fields = ["account__username"]
    raw_id_fields = ["account"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DeletionRequest)
class DeletionRequestAdmin(admin.ModelAdmin):
    """Requests without personal data; search with a full Account ID to find its request."""

    list_display = ["pk", "requested_at", "purged_at", "account_id_hash"]
    list_filter = [("purged_at", admin.EmptyFieldListFilter)]
    search_fields = ["account_id_hash"]
    readonly_fields = ["account_pk", "account_id_hash", "requested_at", "purged_at"]

    def get_search_results(self, request, queryset, search_term):
        if search_term:
            return queryset.filter(account_id_hash=account_id_hash(search_term.strip())), False
        return queryset, False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
