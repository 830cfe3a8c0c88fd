"""What an account owes for a month, and the monthly invoices.

A month is a calendar month in UTC. An invoice bills the highest-priced plan the
account held during the month (so a downgrade on the last day does not halve a
month's bill) plus, when overage is allowed, the operations above that plan's
quota. Free months with no overage get no invoice: there is nothing to pay.

`accounts` cannot import `usage` (imports point down), so the usage app registers
the function that counts an account's operations in a month; without one there
is no overage.
"""

import calendar
import logging
import math
import smtplib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import payments
from .models import Account, Invoice, PlanChange, PlanLimits

logger = logging.getLogger(__name__)

UsageSource = Callable[[int, int, int], int]
_usage_sources: list[UsageSource] = []


def register_usage_source(source: UsageSource) -> UsageSource:
    """Register `source(account_id, year, month) -> operations that month`."""
    if source not in _usage_sources:
        _usage_sources.append(source)
    return source


def unregister_usage_source(source: UsageSource) -> None:
    if source in _usage_sources:
        _usage_sources.remove(source)


def operations_in_month(*, account_id: int, year: int, month: int) -> int:
    return sum(source(account_id, year, month) for source in _usage_sources)


# Months


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_bounds(period: date) -> tuple[datetime, datetime]:
    """The UTC instants where the month starts and the next one starts."""
    start = datetime(period.year, period.month, 1, tzinfo=UTC)
    end_month = add_months(period, 1)
    return start, datetime(end_month.year, end_month.month, 1, tzinfo=UTC)


def month_label(period: date) -> str:
    return f"{calendar.month_name[period.month]} {period.year}"


def periods_due(*, today: date) -> list[date]:
    """The months a run on `today` bills, oldest first: the month just ended and a few before it."""
    current = month_start(today)
    return [add_months(current, -back) for back in range(settings.INVOICE_CATCH_UP_MONTHS, 0, -1)]


# Plans over time


def plans_held(*, account: Account, start: datetime, end: datetime) -> list[str]:
    """Every plan the account held at some instant of [start, end)."""
    changes = list(PlanChange.objects.filter(account=account).order_by("changed", "pk"))
    before = [change for change in changes if change.changed <= start]
    during = [change for change in changes if start < change.changed < end]
    if before:
        held = [before[-1].new_plan]
    elif changes:
        held = [changes[0].old_plan]  # the plan the account started with
    else:
        held = [account.plan]
    held += [change.new_plan for change in during]
    return list(dict.fromkeys(held))


def billed_plan(*, account: Account, period: date) -> PlanLimits:
    start, end = month_bounds(period)
    start = max(start, account.date_joined)
    held = [PlanLimits.of(plan) for plan in plans_held(account=account, start=start, end=end)]
    return max(held, key=lambda limits: limits.price_cents)


def overage_cents(operations: int) -> int:
    return math.ceil(operations * settings.OVERAGE_PRICE_CENTS_PER_1000 / 1000)


def invoice_number(*, account: Account, period: date) -> str:
    """One per account and month, so the number itself is stable: MS-202611-000042."""
    return f"{settings.INVOICE_NUMBER_PREFIX}-{period:%Y%m}-{account.pk:06d}"


# Issuing


def invoice_draft(*, account: Account, period: date, issued: datetime) -> Invoice | None:
    """The unsaved invoice for the month starting `period`, or None when there is nothing to pay."""
    limits = billed_plan(account=account, period=period)
    operations = operations_in_month(account_id=account.pk, year=period.year, month=period.month)
    over = max(0, operations - limits.quota) if account.overage_allowed else 0
    extra = overage_cents(over)
    amount = limits.price_cents + extra
    if amount <= 0:
        return None
    return Invoice(
        account=account,
        number=invoice_number(account=account, period=period),
        period=period,
        plan=limits.plan,
        plan_price_cents=limits.price_cents,
        quota=limits.quota,
        operations=operations,
        overage_operations=over,
        overage_cents=extra,
        amount_cents=amount,
        currency=settings.BILLING_CURRENCY,
        payment_method=payments.method_for(account).code,
        account_name=account.username,
        bill_to_email=account.billing_email,
        bill_to_company=account.invoice_company,
        bill_to_address=account.invoice_address,
        issued=issued,
        due=issued.date() + timedelta(days=settings.INVOICE_DUE_DAYS),
    )


@transaction.atomic
def invoice_issue(*, account_id: int, period: date) -> Invoice | None:
    """Issue the account's invoice for the month starting `period`, and email it after commit.

    Returns the invoice, the one already issued, or None when there is nothing
    to bill (the account did not exist yet, is closed, or owes nothing).
    """
    account = Account.objects.select_for_update().get(pk=account_id)
    existing = Invoice.objects.filter(account=account, period=period).first()
    if existing is not None:
        return existing
    _, end = month_bounds(period)
    if not account.is_active or account.date_joined >= end:
        return None
    invoice = invoice_draft(account=account, period=period, issued=timezone.now())
    if invoice is None:
        return None
    invoice.save()
    payments.collect(invoice)
    transaction.on_commit(lambda: _send_later(invoice.pk))
    return invoice


def _send_later(invoice_id: int) -> None:
    from .tasks import invoice_email  # tasks import this module

    invoice_email.delay(invoice_id)


def invoices_issue_due(*, today: date) -> list[Invoice]:
    """Issue every invoice due on `today` that is missing, and email any left unsent.

    Safe to run any number of times: an account has at most one invoice a month.
    """
    issued = []
    for period in periods_due(today=today):
        _, end = month_bounds(period)
        account_ids = list(
            Account.objects.filter(is_active=True, date_joined__lt=end)
            .exclude(invoices__period=period)
            .values_list("pk", flat=True)
        )
        for account_id in account_ids:
            invoice = invoice_issue(account_id=account_id, period=period)
            if invoice is not None:
                issued.append(invoice)
    # An invoice whose email failed earlier goes out now.
    unsent = Invoice.objects.filter(emailed_at__isnull=True).exclude(pk__in=[invoice.pk for invoice in issued])
    for invoice_id in unsent.values_list("pk", flat=True):
        _send_later(invoice_id)
    return issued


# Emailing


def invoice_url(invoice: Invoice) -> str:
    return settings.SITE_URL + reverse("billing:invoice", args=[invoice.number])


def invoice_context(invoice: Invoice) -> dict:
    return {
        "invoice": invoice,
        "period_label": month_label(invoice.period),
        "issuer": settings.INVOICE_ISSUER,
        "payment_method": payments.method_of(invoice),
        "invoice_url": invoice_url(invoice),
    }


@transaction.atomic
def invoice_email_send(*, invoice_id: int) -> bool:
    """Email an invoice once. True when this call sent it; False when it was sent already or sending failed."""
    invoice = Invoice.objects.select_for_update().filter(pk=invoice_id, emailed_at__isnull=True).first()
    if invoice is None:
        return False
    context = invoice_context(invoice)
    subject = "".join(render_to_string("emails/invoice_subject.txt", context).splitlines()).strip()
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=render_to_string("emails/invoice_body.txt", context),
        to=[invoice.bill_to_email],
    )
    message.attach_alternative(render_to_string("emails/invoice_body.html", context), "text/html")
    try:
        message.send()
    except (OSError, smtplib.SMTPException):
        # Left unsent: the next run of the invoice job sends it. The other invoices go on.
        logger.exception("Could not email invoice %s", invoice.number)
        return False
    invoice.emailed_at = timezone.now()
    invoice.save(update_fields=["emailed_at"])
    return True
