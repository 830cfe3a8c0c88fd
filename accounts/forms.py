from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

from .models import Account, Plan, PlanLimits
from .services import account_plan_change_problems
from .templatetags.billing import money
from .validators import domain_name_normalize


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, with the username presented as the Account ID."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.label = "Account ID"
        username.help_text = "3 to 30 characters: a-z, 0-9, _ and -. It names your account everywhere."
        username.widget.attrs.update({"placeholder": "", "autocomplete": "username"})
        self.fields["email"].widget.attrs["placeholder"] = ""


class LoginForm(AllauthLoginForm):
    """allauth's login form, labelled for what it takes: the Account ID or the email."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Account ID or email"
        self.fields["login"].widget.attrs.update({"placeholder": "", "autocomplete": "username"})
        self.fields["password"].widget.attrs["placeholder"] = ""


class AccountDetailsForm(forms.ModelForm):
    class Meta:
        model = Account
        fields = ["invoice_email", "invoice_company", "invoice_address"]
        labels = {
            "invoice_email": "Invoice email",
            "invoice_company": "Invoice company name",
            "invoice_address": "Invoice address",
        }
        help_texts = {
            "invoice_email": "Invoices go here. Leave empty to use your account email.",
            "invoice_address": "Printed on invoices, as you want it to appear.",
        }
        widgets = {"invoice_address": forms.Textarea(attrs={"rows": 4})}

    def clean_invoice_address(self):
        # Browsers submit textarea line breaks as CRLF; store one kind of line break.
        return self.cleaned_data["invoice_address"].replace("\r\n", "\n")


class DomainAddForm(forms.Form):
    name = forms.CharField(
        label="Domain name",
        help_text="For example example.com or bücher.example: no http://, no path.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false", "maxlength": 300}
        ),
    )

    def clean_name(self):
        return domain_name_normalize(self.cleaned_data["name"])


class PlanChangeForm(forms.Form):
    plan = forms.ChoiceField(label="New plan", choices=Plan.choices, widget=forms.RadioSelect)

    def __init__(self, *args, account: Account, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self.fields["plan"].initial = account.plan
        self.fields["plan"].choices = [(plan, _plan_choice_label(plan, account.plan)) for plan in Plan.values]

    def clean_plan(self):
        plan = self.cleaned_data["plan"]
        if plan == self.account.plan:
            raise forms.ValidationError(f"You are on the {Plan(plan).label} plan already.", code="same_plan")
        problems = account_plan_change_problems(account=self.account, plan=plan)
        if problems:
            raise forms.ValidationError(problems, code="does_not_fit")
        return plan


def _plan_choice_label(plan: str, current: str) -> str:
    limits = PlanLimits.of(plan)
    price = f"{money(limits.price_cents)} a month" if limits.price_cents else "free"
    return f"{limits.label}: {price}{' (your plan)' if plan == current else ''}"


class AccountFeaturesForm(forms.ModelForm):
    overage_allowed = forms.TypedChoiceField(
        label="Over the monthly quota",
        choices=[
            ("false", "Block API calls with HTTP 429 until the next month"),
            ("true", "Allow them, and bill the overage on the next invoice"),
        ],
        coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Account
        fields = ["quota_warning_emails", "overage_allowed"]
        labels = {"quota_warning_emails": "Email me at 80 % and 100 % of the monthly quota"}
        help_texts = {"quota_warning_emails": "Sent to the account email, once per threshold each month."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["overage_allowed"] = "true" if self.instance.overage_allowed else "false"


class AccountDeletionForm(forms.Form):
    account_id = forms.CharField(
        label="Type your Account ID to confirm",
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}),
    )

    def __init__(self, *args, account: Account, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account

    def clean_account_id(self):
        typed = self.cleaned_data["account_id"]
        if typed.lower() != self.account.username.lower():
            raise forms.ValidationError("That is not this account's Account ID, typed in full. Nothing was deleted.")
        return typed
