import unicodedata

from django import forms


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        label="Key name",
        max_length=64,
        help_text="1 to 64 characters, unique in this account; e.g. “ci-staging” or “alice laptop”.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_name(self):
        name = self.cleaned_data["name"]
        if any(unicodedata.category(char).startswith("C") for char in name):
            raise forms.ValidationError("A key name cannot contain control or invisible format characters.")
        return name


class ApiKeyLoginForm(forms.Form):
    account_id = forms.CharField(
        label="Account ID",
        max_length=30,
        help_text="The account name used to sign up.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    key_name = forms.CharField(
        label="Key Name",
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    api_key = forms.CharField(
        label="API Key",
        max_length=200,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class WebsiteLoginForm(forms.Form):
    enabled = forms.BooleanField(required=False)
