import re

from django import forms
from django.core.validators import URLValidator

from accounts.models import Domain

from .models import ForwardingRule
from .webhooks import UnsafeURL, check_url

# The dot-atom local parts people use (RFC 5322), lowercase: matching is case-insensitive.
LOCAL_PART = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


class ForwardingRuleForm(forms.Form):
    address = forms.CharField(
        label="Address",
        required=False,
        max_length=320,
        help_text="The part before the @, such as “alerts”. Leave empty to forward mail for every address.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    kind = forms.ChoiceField(label="Forward to", choices=ForwardingRule.Kind.choices, widget=forms.RadioSelect)
    url = forms.CharField(
        label="URL",
        required=False,
        max_length=2000,
        help_text="Webhook: we POST the message as JSON. Slack: the incoming webhook URL. Not used for WebSocket.",
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": "https://"}),
    )

    def __init__(self, *args, domain: Domain, **kwargs):
        super().__init__(*args, **kwargs)
        self.domain = domain

    def clean_address(self):
        address = self.cleaned_data["address"].strip().lower()
        local, at, domain = address.rpartition("@")
        if at:
            if domain.rstrip(".") != self.domain.name:
                raise forms.ValidationError(f"Give an address at {self.domain.name}, or just the part before the @.")
            address = local
        if address in ("", "*"):
            return ""
        if len(address) > 64 or not LOCAL_PART.fullmatch(address):
            raise forms.ValidationError(
                "Use letters, digits and . _ - + (up to 64 characters), without spaces or a leading or trailing dot."
            )
        return address

    def clean(self):
        cleaned = super().clean()
        kind, url = cleaned.get("kind"), cleaned.get("url", "").strip()
        if kind == ForwardingRule.Kind.WEBSOCKET:
            cleaned["url"] = ""
        elif kind:
            if not url:
                self.add_error("url", "Enter the URL to forward to.")
            else:
                try:
                    URLValidator(schemes=["http", "https"])(url)
                    check_url(url)
                except forms.ValidationError:
                    self.add_error("url", "Enter a whole URL, such as https://example.com/hooks/mail.")
                except UnsafeURL as problem:
                    self.add_error("url", str(problem))
                else:
                    cleaned["url"] = url
        return cleaned
