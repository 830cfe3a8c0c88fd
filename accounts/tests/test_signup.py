import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import Account


def signup(client, username="newuser", email="new@example.com", password="a-long-Passphrase-42"):
    return client.post(
        "/accounts/signup/",
        {"username": username, "email": email, "password1": password, "password2": password},
    )


@pytest.mark.django_db
def test_signup_creates_an_account_on_the_free_plan_and_signs_in(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    response = signup(client)
    assert response.status_code == 302
    account = Account.objects.get(username="newuser")
    assert account.plan == "free"
    assert account.password.startswith("argon2")
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.django_db
def test_signup_with_mandatory_verification_sends_a_confirmation_email(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    response = signup(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.com"]
    assert not EmailAddress.objects.get(email="new@example.com").verified
    assert client.get("/dashboard/").status_code == 302


@pytest.mark.django_db
def test_signup_stores_the_account_id_in_lowercase(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    signup(client, username="MixedCase")
    assert Account.objects.filter(username="mixedcase").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["ab", "a" * 31, "has space", "dot.ted", "émile", "semi;colon"])
def test_signup_refuses_an_account_id_that_breaks_the_rules(client, username):
    response = signup(client, username=username)
    assert response.status_code == 200
    assert response.context["form"].has_error("username")
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_signup_refuses_an_account_id_taken_in_another_case(client, make_account):
    make_account("alice")
    response = signup(client, username="ALICE", email="other@example.com")
    assert response.status_code == 200
    assert response.context["form"].has_error("username")
    assert Account.objects.count() == 1


@pytest.mark.django_db
def test_signup_accepts_the_longest_allowed_account_id(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    signup(client, username="a-b_c" + "x" * 25)
    assert Account.objects.filter(username="a-b_c" + "x" * 25).exists()


@pytest.mark.django_db
def test_the_database_refuses_two_account_ids_differing_only_in_case(make_account):
    from django.db import IntegrityError, transaction

    make_account("bob")
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(username="BOB", email="bob2@example.com")
