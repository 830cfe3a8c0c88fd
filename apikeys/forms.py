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
