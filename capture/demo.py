"""Forwarding rules and a few forwarded messages for the team demo account, so its pages show something."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import Delivery, ForwardingRule, Message

DEMO_MESSAGES = [
    ("orders@{domain}", "Your order 1001 has shipped", "delivered", ""),
    ("alerts@{domain}", "Disk almost full on build-2", "delivered", ""),
    ("orders@{domain}", "Password reset requested", "failed", "The endpoint answered HTTP 404."),
]


@transaction.atomic
def capture_demo_seed(*, accounts: dict) -> None:
    """Idempotent: an account whose verified domain already has rules is left as it is."""
    account = accounts.get("team")
    domain = account and account.domains.filter(verified_at__isnull=False).order_by("name").first()
    if domain is None or ForwardingRule.objects.filter(domain=domain).exists():
        return
    webhook = ForwardingRule.objects.create(
        domain=domain, kind=ForwardingRule.Kind.WEBHOOK, url="https://hooks.demoteam.example/mailsac"
    )
    ForwardingRule.objects.create(domain=domain, local_part="alerts", kind=ForwardingRule.Kind.WEBSOCKET)
    now = timezone.now()
    for minutes, (to, subject, status, error) in enumerate(DEMO_MESSAGES):
        received = now - timedelta(minutes=15 * (len(DEMO_MESSAGES) - minutes))
        inbox = to.format(domain=domain.name)
        raw = f"From: Demo Shop <shop@example.net>\r\nTo: {inbox}\r\nSubject: {subject}\r\n\r\nHello.\r\n".encode()
        message = Message.objects.create(
            account=account,
            domain=domain,
            kind=Message.Kind.INBOUND,
            mail_from="shop@example.net",
            rcpt_to=[inbox],
            subject=subject,
            headers=[["From", "Demo Shop <shop@example.net>"], ["To", inbox], ["Subject", subject]],
            size=len(raw),
            raw=raw,
            received=received,
        )
        Delivery.objects.create(
            message=message,
            rule=webhook,
            kind=webhook.kind,
            target=webhook.url,
            status=status,
            attempts=1 if status == "delivered" else 3,
            last_error=error,
            created=received,
            delivered_at=received if status == "delivered" else None,
        )
