"""How invoices are paid: the one boundary between billing and money.

Today every account pays by invoice (bank transfer). A card provider is added
here: `method_for` picks it for an account, `collect` charges an issued invoice
and marks it paid. Pages, emails and the invoice job only call these functions.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Account, Invoice


@dataclass(frozen=True)
class PaymentMethod:
    code: str
    label: str
    description: str

    @property
    def instructions(self) -> str:
        return settings.INVOICE_PAYMENT_INSTRUCTIONS


PAY_BY_INVOICE = PaymentMethod(
    code="invoice",
    label="Pay by invoice",
    description="An invoice is emailed on the 1st of each month for the month just ended.",
)
METHODS = {PAY_BY_INVOICE.code: PAY_BY_INVOICE}


def method_for(account: Account) -> PaymentMethod:
    return PAY_BY_INVOICE


def method_of(invoice: Invoice) -> PaymentMethod:
    return METHODS.get(invoice.payment_method, PAY_BY_INVOICE)


def collect(invoice: Invoice) -> None:
    """Called once an invoice is issued. Paying by invoice, the emailed invoice is the request for payment."""
    if invoice.payment_method == PAY_BY_INVOICE.code:
        return


@transaction.atomic
def invoice_mark_paid(*, invoice: Invoice) -> None:
    """Record a payment that arrived (support staff, in the admin)."""
    Invoice.objects.filter(pk=invoice.pk, paid_at__isnull=True).update(paid_at=timezone.now())
