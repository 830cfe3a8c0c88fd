import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client

from conftest import PASSWORD


def signed_in_client(username):
    other = Client()
    other.post("/accounts/login/", {"login": username, "password": PASSWORD})
    assert SESSION_KEY in other.session
    return other


@pytest.mark.django_db
def test_password_change_requires_the_current_password(owner):
    client = signed_in_client("owner")
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "not-the-password", "password1": "New-passphrase-77", "password2": "New-passphrase-77"},
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("oldpassword")
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


@pytest.mark.django_db
def test_password_change_keeps_this_session_and_ends_the_others(owner):
    this_browser = signed_in_client("owner")
    other_browser = signed_in_client("owner")
    response = this_browser.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "New-passphrase-77", "password2": "New-passphrase-77"},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("New-passphrase-77")
    assert this_browser.get("/dashboard/").status_code == 200
    assert other_browser.get("/dashboard/").status_code == 302


@pytest.mark.django_db
def test_password_reset_sends_an_email_to_a_known_address(client, owner):
    response = client.post("/accounts/password/reset/", {"email": "owner@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["owner@example.com"]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


@pytest.mark.django_db
def test_password_reset_answers_the_same_for_an_unknown_address(client, owner):
    known = client.post("/accounts/password/reset/", {"email": "owner@example.com"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    to_unknown = [m for m in mail.outbox if m.to == ["nobody@example.com"]]
    assert all("/accounts/password/reset/key/" not in m.body for m in to_unknown)
