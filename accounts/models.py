import calendar
import secrets
from dataclasses import dataclass
from datetime import date

import idna
from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from .validators import account_id_validator


class Plan(models.TextChoices):
    FREE = "free", "Free"
    BASIC = "basic", "Basic"
    INDIE = "indie", "Indie"
    BUSINESS = "business", "Business"
    ENTERPRISE = "enterprise", "Enterprise"


@dataclass(frozen=True)
class PlanLimits:
    """What a plan allows, from settings.PLANS."""

    plan: str
    team: bool
    quota: int
    price_cents: int
    domains: int

    @property
    def label(self) -> str:
        return Plan(self.plan).label

    @property
    def max_keys(self) -> int | None:
        """None means no fixed limit (team plans)."""
        return None if self.team else 1

    @classmethod
    def of(cls, plan: str) -> "PlanLimits":
        return cls(plan=plan, **settings.PLANS[plan])


class AccountManager(UserManager):
    def get_by_natural_key(self, username):
        return self.get(username__iexact=username)


class Account(AbstractUser):
    """One login. `username` is the Account ID chosen at sign-up."""

    username = models.CharField(
        "Account ID",
        max_length=30,
        unique=True,
        validators=[account_id_validator],
        help_text="3 to 30 characters: a-z, 0-9, _ and -.",
        error_messages={"unique": "That Account ID is taken."},
    )
    first_name = None
    last_name = None
    plan = models.CharField(max_length=20, choices=Plan.choices, default=Plan.FREE, db_index=True)
    invoice_email = models.EmailField("invoice email", blank=True)
    invoice_company = models.CharField("invoice company name", max_length=200, blank=True)
    invoice_address = models.TextField("invoice address", max_length=1000, blank=True)
    quota_warning_emails = models.BooleanField(
        "quota warning emails", default=True, help_text="Email the owner at 80 % and 100 % of the monthly quota."
    )
    overage_allowed = models.BooleanField(
        "allow overage",
        default=False,
        help_text="Over the monthly quota: off blocks API calls with 429; on allows them and bills the overage.",
    )

    objects = AccountManager()

    class Meta:
        verbose_name = "account"
        constraints = [
            models.UniqueConstraint(Lower("username"), name="account_id_unique_case_insensitive"),
        ]

    def __str__(self):
        return self.username

    @property
    def account_id(self) -> str:
        return self.username

    @property
    def created(self):
        return self.date_joined

    @property
    def limits(self) -> PlanLimits:
        return PlanLimits.of(self.plan)

    @property
    def is_team_plan(self) -> bool:
        return self.limits.team

    @property
    def billing_email(self) -> str:
        """Where invoices go: the invoice email, or the account email when none is set."""
        return self.invoice_email or self.email


def new_verification_token() -> str:
    return secrets.token_urlsafe(24)


class Domain(models.Model):
    """A custom domain an account claims, proven by a DNS TXT record.

    `name` is the IDNA-encoded, lowercase ASCII form: one account at most holds it.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="domains")
    name = models.CharField(
        max_length=253, unique=True, error_messages={"unique": "That domain is already registered to an account."}
    )
    verification_token = models.CharField(max_length=64, default=new_verification_token, editable=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_check_error = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["verified_at", "last_checked_at"], name="domain_pending_idx")]

    def __str__(self):
        return self.name

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    @property
    def verification_txt(self) -> str:
        return f"mailsac-verification={self.verification_token}"

    @property
    def display_name(self) -> str:
        """The name as people write it (Unicode for an internationalised name)."""
        try:
            return idna.decode(self.name)
        except idna.IDNAError:
            return self.name


class PlanChange(models.Model):
    """A row per plan change, so a past month is billed for the plan held then."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="plan_changes")
    old_plan = models.CharField(max_length=20, choices=Plan.choices)
    new_plan = models.CharField(max_length=20, choices=Plan.choices)
    changed = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["changed", "pk"]

    def __str__(self):
        return f"{self.account}: {self.old_plan} -> {self.new_plan}"


class Invoice(models.Model):
    """What an account owed for one calendar month (UTC), as it stood when issued.

    The contact fields are a snapshot: later edits to the account details do not
    rewrite an issued invoice. Amounts are in cents of settings.BILLING_CURRENCY.
    """

    # Kept after an account is deleted, as tax law needs, with the personal fields erased.
    account = models.ForeignKey(Account, on_delete=models.SET_NULL, null=True, related_name="invoices")
    number = models.CharField(max_length=40, unique=True)
    period = models.DateField(help_text="The first day of the month billed.")
    plan = models.CharField(max_length=20, choices=Plan.choices)
    plan_price_cents = models.PositiveIntegerField()
    quota = models.PositiveBigIntegerField()
    operations = models.PositiveBigIntegerField(default=0)
    overage_operations = models.PositiveBigIntegerField(default=0)
    overage_cents = models.PositiveIntegerField(default=0)
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    payment_method = models.CharField(max_length=30)
    account_name = models.CharField("Account ID", max_length=30)
    bill_to_email = models.EmailField()
    bill_to_company = models.CharField(max_length=200, blank=True)
    bill_to_address = models.TextField(max_length=1000, blank=True)
    issued = models.DateTimeField(default=timezone.now)
    due = models.DateField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period"]
        constraints = [models.UniqueConstraint(fields=["account", "period"], name="invoice_one_per_account_month")]

    def __str__(self):
        return self.number

    @property
    def paid(self) -> bool:
        return self.paid_at is not None

    @property
    def period_end(self) -> date:
        """The last day of the month billed."""
        return date(self.period.year, self.period.month, calendar.monthrange(self.period.year, self.period.month)[1])

    @property
    def plan_label(self) -> str:
        return Plan(self.plan).label


class DeletionRequest(models.Model):
    """An Account Deletion Request, kept without personal data once the account is purged.

    `account_pk` is a plain integer, not a foreign key: the row outlives the account.
    """

    account_pk = models.BigIntegerField(db_index=True)
    account_id_hash = models.CharField("Account ID hash", max_length=64, db_index=True)
    requested_at = models.DateTimeField(default=timezone.now)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self):
        return f"Deletion {self.pk} ({'purged' if self.purged_at else 'pending'})"
