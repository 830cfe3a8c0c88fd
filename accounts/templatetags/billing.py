from django import template
from django.conf import settings

register = template.Library()

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


@register.filter
def money(cents: int, currency: str = "") -> str:
    """1234 -> "$12.34" (or "12.34 CHF" for a currency without a symbol here)."""
    currency = currency or settings.BILLING_CURRENCY
    amount = f"{int(cents) / 100:,.2f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{amount}" if symbol else f"{amount} {currency}"
