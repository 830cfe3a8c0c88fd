"""Demo accounts that `make run` loads; their credentials are in the README."""

from allauth.account.models import EmailAddress
from django.db import transaction

from .models import Account, Plan
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
    demo_seeded.send(sender=Account, accounts=accounts)
    return accounts
