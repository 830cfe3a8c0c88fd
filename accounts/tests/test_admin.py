import pytest

from accounts.models import Account


@pytest.fixture
def staff_client(client, make_account):
    staff = make_account("support", is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


@pytest.mark.django_db
def test_admin_finds_accounts_by_account_id_and_by_email(staff_client, owner, stranger):
    by_id = staff_client.get("/admin/accounts/account/", {"q": "owner"}).content.decode()
    assert "owner@example.com" in by_id and "stranger@example.com" not in by_id
    by_email = staff_client.get("/admin/accounts/account/", {"q": "stranger@example.com"}).content.decode()
    assert "stranger@example.com" in by_email and "owner@example.com" not in by_email


@pytest.mark.django_db
def test_admin_filters_accounts_by_plan(staff_client, owner, stranger):
    body = staff_client.get("/admin/accounts/account/", {"plan__exact": "indie"}).content.decode()
    assert "owner@example.com" in body and "stranger@example.com" not in body


@pytest.mark.django_db
def test_admin_changes_a_plan(staff_client, owner):
    response = staff_client.post(
        f"/admin/accounts/account/{owner.pk}/change/",
        {
            "username": "owner",
            "plan": "enterprise",
            "email": owner.email,
            "invoice_email": "",
            "invoice_company": "",
            "invoice_address": "",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Account.objects.get(pk=owner.pk).plan == "enterprise"
