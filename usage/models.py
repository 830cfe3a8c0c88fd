"""Usage: counted events in time buckets, and the monthly statistics rolled up from them.

Keys and domains are kept as plain ids with a snapshot of their name, never as
foreign keys: history survives deleting a key or a domain, and goes only with
the account.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce


class Service(models.TextChoices):
    API = "api", "REST API call"
    CAPTURE = "capture", "Email Capture message"
    SLACK = "slack", "Slack forward"
    WEBHOOK = "webhook", "Webhook forward"
    WEBSOCKET = "websocket", "WebSocket forward"


class Direction(models.TextChoices):
    INBOUND = "in", "inbound"
    OUTBOUND = "out", "outbound"


class UsageBucket(models.Model):
    """Events of one kind in one hour: flushed from Redis once, or written directly.

    A row flushed from Redis carries `flush_key` (its Redis bucket and field), so
    flushing the same bucket again inserts nothing. A row written straight to the
    database (embedded mode, Redis down) has no `flush_key`; one written because a
    reply from Redis was lost carries `doubt` until that is settled.
    """

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_index=False)
    bucket_start = models.DateTimeField()
    service = models.CharField(max_length=16, choices=Service.choices)
    key_id = models.BigIntegerField(null=True, blank=True)
    key_name = models.CharField(max_length=64, blank=True)
    domain_id = models.BigIntegerField(null=True, blank=True)
    domain_name = models.CharField(max_length=253, blank=True)
    direction = models.CharField(max_length=3, choices=Direction.choices, blank=True)
    count = models.PositiveBigIntegerField(default=1)
    bytes = models.PositiveBigIntegerField(default=0)
    flush_key = models.CharField(max_length=200, null=True, blank=True)
    # Written after Redis lost the reply to this event: "seq key|field|number|epoch" of the call,
    # until the flush learns whether Redis counted it too (then this row goes) or not.
    doubt = models.CharField(max_length=120, null=True, blank=True)

    class Meta:
        constraints = [
            # A constraint, not unique=True: that would add a LIKE index on PostgreSQL, paid by every insert.
            # On PostgreSQL it is (flush_key, bucket_start), as the table is partitioned by month
            # (migration 0004, usage/partitions.py): the same rule, since a flush key names its hour.
            models.UniqueConstraint(fields=["flush_key"], name="usage_bucket_flush_key_unique"),
        ]
        indexes = [
            models.Index(fields=["doubt"], name="usage_bucket_doubt_idx", condition=models.Q(doubt__isnull=False)),
            # The page reads one account's recent buckets; the rollup reads one month of all accounts.
            models.Index(fields=["account", "bucket_start"], name="usage_bucket_account_idx"),
            models.Index(fields=["bucket_start"], name="usage_bucket_start_idx"),
        ]

    def __str__(self):
        return f"{self.account_id} {self.bucket_start:%Y-%m-%d %H:00} {self.service} x{self.count}"


class MonthlyUsage(models.Model):
    """One month of one account's usage by key, domain and service: what the rollup computes."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_index=False)
    month = models.DateField(help_text="The first day of the month (UTC).")
    key_id = models.BigIntegerField(null=True, blank=True)
    key_name = models.CharField(max_length=64, blank=True)
    domain_id = models.BigIntegerField(null=True, blank=True)
    domain_name = models.CharField(max_length=253, blank=True)
    service = models.CharField(max_length=16, choices=Service.choices)
    operations = models.PositiveBigIntegerField(default=0)
    inbound_messages = models.PositiveBigIntegerField(default=0)
    outbound_messages = models.PositiveBigIntegerField(default=0)
    inbound_bytes = models.PositiveBigIntegerField(default=0)
    outbound_bytes = models.PositiveBigIntegerField(default=0)
    updated = models.DateTimeField()

    class Meta:
        verbose_name_plural = "monthly usage"
        constraints = [
            # The rollup's ON CONFLICT target: NULL (no key, no domain) must match NULL, hence COALESCE.
            models.UniqueConstraint(
                "account",
                "month",
                Coalesce("key_id", 0),
                Coalesce("domain_id", 0),
                "service",
                name="monthly_usage_unique",
            ),
        ]

    def __str__(self):
        return f"{self.account_id} {self.month:%Y-%m} {self.service} {self.operations}"


class RollupMonth(models.Model):
    """Where the rollup stands for one month, for all accounts.

    `closed` once the month was rolled up after it ended; data that arrives later
    (a late flush) reopens it by bumping `version`, so the next run recomputes it.
    """

    month = models.DateField(primary_key=True)
    closed = models.BooleanField(default=False)
    version = models.PositiveBigIntegerField(default=0)
    rolled_up_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.month:%Y-%m} {'closed' if self.closed else 'open'}"


class QuotaWarning(models.Model):
    """A quota warning email (80 % or 100 %) sent to an account for a month: at most once."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    month = models.DateField()
    percent = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("account", "month", "percent", name="quota_warning_once_per_month"),
        ]

    def __str__(self):
        return f"{self.account_id} {self.month:%Y-%m} {self.percent} %"
