from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm

from .models import Account
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
