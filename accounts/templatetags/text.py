from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter(needs_autoescape=True)
def break_after_dots(value, autoescape=True) -> str:
    """ "mail.example.com" may wrap after each dot in a narrow box, not in the middle of a label."""
    text = conditional_escape(value) if autoescape else str(value)
    return mark_safe(text.replace(".", ".<wbr>"))  # noqa: S308 - escaped above; <wbr> is ours
