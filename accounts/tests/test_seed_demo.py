import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from accounts.demo import DEMO_ACCOUNTS
from accounts.models import Account


def snapshot():
    return (
        sorted(Account.objects.values_list("username", "email", "plan", "invoice_company", "password")),
        sorted(EmailAddress.objects.values_list("email", "verified", "primary")),
    )


@pytest.mark.django_db
def test_seed_demo_creates_an_individual_and_a_team_account_that_can_sign_in(client):
    call_command("seed_demo")
    individual = Account.objects.get(username=DEMO_ACCOUNTS["individual"]["username"])
    team = Account.objects.get(username=DEMO_ACCOUNTS["team"]["username"])
    assert not individual.is_team_plan
    assert team.is_team_plan
    response = client.post("/accounts/login/", {"login": team.username, "password": DEMO_ACCOUNTS["team"]["password"]})
    assert response.status_code == 302


@pytest.mark.django_db
def test_seed_demo_twice_leaves_the_same_data():
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
