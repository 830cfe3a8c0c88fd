from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils import timezone

from usage.months import month_of, month_start

from .models import ForwardingRule, Message


def capture_panel(request) -> dict:
    """Messages received this month, where to send them, and how many forwarding rules there are."""
    account = request.user
    since = month_start(month_of(timezone.now()))
    received = Message.objects.filter(account=account, received__gte=since).count()
    rules = ForwardingRule.objects.filter(domain__account=account).count()
    return {
        "label": "Messages captured this month",
        "value": intcomma(received),
        "detail": (
            f"SMTP {settings.SMTP_PUBLIC_HOST}:{settings.SMTP_CAPTURE_PORT} with your Account ID and an API key; "
            f"{rules} forwarding rule{'s' if rules != 1 else ''}"
        ),
        "url": reverse("domains:list"),
        "link_text": "Forwarding by domain",
    }
