import pytest
from django.core.management import call_command

from accounts.demo import DEMO_ACCOUNTS
from accounts.models import Domain, Invoice


def snapshot():
    return (
        sorted(Domain.objects.values_list("account__username", "name", "verified_at")),
        sorted(Invoice.objects.values_list("account__username", "number", "amount_cents", "paid_at")),
    )


@pytest.mark.django_db
def test_the_team_demo_account_has_domains_one_verified_and_invoices():
    call_command("seed_demo")
    team = DEMO_ACCOUNTS["team"]["username"]
    domains = Domain.objects.filter(account__username=team)
    assert domains.count() == 2
    assert [d.verified for d in domains.order_by("name")] == [True, False]
    assert Invoice.objects.filter(account__username=team).count() == 2


@pytest.mark.django_db
def test_seeding_the_demo_twice_leaves_the_same_domains_and_invoices():
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
