from django import forms
from django.utils import timezone

from .months import month_of, parse_month


class MonthForm(forms.Form):
    """The month to show, `YYYY-MM`; none means the current month."""

    month = forms.CharField(required=False, max_length=7, label="Month")

    def clean_month(self):
        text = self.cleaned_data["month"]
        if not text:
            return None
        try:
            month = parse_month(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        if month > month_of(timezone.now()):
            raise forms.ValidationError("That month has not begun yet.")
        if month.year < 2000:
            raise forms.ValidationError("There is no usage before 2000.")
        return month
