"""Demo accounts that `make run` loads; their credentials are in the README."""

from datetime import UTC, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from .billing import add_months, invoice_draft, month_start
from .models import Account, Domain, Invoice, Plan
from .signals import demo_seeded

DEMO_ACCOUNTS = {
    "individual": {
        "username": "demo",
        "email": "demo@example.com",
        "password": "demo-password-1",
        "plan": Plan.INDIE,
        "invoice_company": "Demo Indie Dev",
    },
    "team": {
        "username": "demoteam",
        "email": "team@example.com",
        "password": "demo-password-1",
        "plan": Plan.BUSINESS,
        "invoice_company": "Demo Team Ltd",
    },
}


@transaction.atomic
def demo_seed() -> dict[str, Account]:
    """Create the demo accounts; running it again leaves the same data."""
    accounts = {}
    for role, spec in DEMO_ACCOUNTS.items():
        account, created = Account.objects.get_or_create(
            username=spec["username"],
            defaults={"email": spec["email"], "plan": spec["plan"], "invoice_company": spec["invoice_company"]},
        )
        if created:
            account.set_password(spec["password"])
            account.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=account, email=spec["email"], defaults={"verified": True, "primary": True}
        )
        accounts[role] = account
    _demo_domains(accounts["team"])
    _demo_invoices(accounts["team"])
    demo_seeded.send(sender=Account, accounts=accounts)
    return accounts


DEMO_DOMAINS = {"demoteam.example": True, "staging.demoteam.example": False}


def _demo_domains(account: Account) -> None:
    for name, verified in DEMO_DOMAINS.items():
        domain, created = Domain.objects.get_or_create(name=name, defaults={"account": account})
        if created and verified:
            domain.verified_at = domain.created
            domain.save(update_fields=["verified_at"])


def _demo_invoices(account: Account) -> None:
    """The last two months' invoices, already emailed; the older one paid."""
    now = timezone.now()
    this_month = month_start(now.date())
    for back in (2, 1):
        period = add_months(this_month, -back)
        if Invoice.objects.filter(account=account, period=period).exists():
            continue
        issued = datetime.combine(add_months(period, 1), time(2), tzinfo=UTC)
        invoice = invoice_draft(account=account, period=period, issued=issued)
        if invoice is None:
            continue
        invoice.emailed_at = issued
        invoice.paid_at = issued + timedelta(days=9) if back == 2 else None
        invoice.save()
