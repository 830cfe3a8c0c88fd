"""Captured messages, the forwarding rules of custom domains, and each forward's delivery."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def new_public_id() -> str:
    return secrets.token_urlsafe(12)


class Message(models.Model):
    """One message the SMTP service accepted for an account: its envelope, headers and raw bytes.

    Captured messages came in authenticated by an API key; inbound ones arrived
    without AUTH for one of the account's verified custom domains.
    """

    class Kind(models.TextChoices):
        CAPTURED = "captured", "Captured"
        INBOUND = "inbound", "Inbound"

    public_id = models.CharField("ID", max_length=24, unique=True, default=new_public_id, editable=False)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="captured_messages")
    key = models.ForeignKey(
        "apikeys.ApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="API key"
    )
    domain = models.ForeignKey("accounts.Domain", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    mail_from = models.CharField("MAIL FROM", max_length=320, blank=True)
    rcpt_to = models.JSONField("RCPT TO", default=list)
    subject = models.CharField(max_length=998, blank=True)
    headers = models.JSONField(default=list, help_text="[name, value] pairs in their original order.")
    size = models.PositiveIntegerField(help_text="Bytes of the raw message.")
    raw = models.BinaryField()
    peer = models.GenericIPAddressField(null=True, blank=True)
    helo = models.CharField(max_length=255, blank=True)
    tls = models.BooleanField("received over TLS", default=False)
    received = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received", "-pk"]
        indexes = [
            models.Index(fields=["account", "-received"], name="capture_message_account_idx"),
            models.Index(fields=["received"], name="capture_message_received_idx"),
        ]

    def __str__(self):
        return f"{self.public_id} {self.subject[:60]}"

    @property
    def inbox(self) -> str:
        return self.rcpt_to[0] if self.rcpt_to else ""


class ForwardingRule(models.Model):
    """Forward messages for a custom domain, or one address at it, to a webhook, Slack or WebSockets."""

    class Kind(models.TextChoices):
        WEBHOOK = "webhook", "Webhook"
        SLACK = "slack", "Slack"
        WEBSOCKET = "websocket", "WebSocket"

    domain = models.ForeignKey("accounts.Domain", on_delete=models.CASCADE, related_name="forwarding_rules")
    local_part = models.CharField(
        "address", max_length=64, blank=True, help_text="Lowercase local part; empty: every address at the domain."
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    url = models.URLField("URL", max_length=2000, blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["local_part", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "local_part", "kind", "url"], name="forwarding_rule_unique"),
        ]

    def __str__(self):
        return f"{self.pattern} -> {self.get_kind_display()}"

    @property
    def pattern(self) -> str:
        """The addresses the rule covers, as shown to people: `*@example.com` or `alerts@example.com`."""
        return f"{self.local_part or '*'}@{self.domain.name}"

    def matches(self, local_part: str) -> bool:
        return not self.local_part or self.local_part == local_part.lower()


class Delivery(models.Model):
    """One forward of one message: the unit that is retried and counted once."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    rule = models.ForeignKey(ForwardingRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=10, choices=ForwardingRule.Kind.choices)
    target = models.CharField(max_length=2000, blank=True, help_text="The URL; empty for WebSocket subscribers.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created", "-pk"]
        constraints = [
            # One forward per message and destination, however many rules point there.
            models.UniqueConstraint(fields=["message", "kind", "target"], name="delivery_once_per_destination"),
        ]

    def __str__(self):
        return f"{self.message_id} {self.kind} {self.status}"
