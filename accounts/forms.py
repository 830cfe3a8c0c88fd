from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

from .models import Account


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
