from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse

from .services import quota_state


def usage_panel(request) -> dict:
    """This month's operations against the quota, on the dashboard."""
    quota = quota_state(account=request.user)
    percent = min(100, round(100 * quota.used / quota.limit)) if quota.limit else 0
    detail = f"of {intcomma(quota.limit)} this month ({percent} %)"
    if quota.blocked:
        detail += "; API calls answer 429 until the quota resets"
    return {
        "label": "Operations this month",
        "value": intcomma(quota.used),
        "detail": detail,
        "url": reverse("usage:page"),
        "link_text": "See usage",
    }
