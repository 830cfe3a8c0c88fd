from datetime import UTC, date, datetime

import pytest

from accounts.billing import invoice_draft
from accounts.models import Domain, Invoice


@pytest.fixture
def staff_client(client, make_account):
    client.force_login(make_account("support", is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
def test_support_marks_an_invoice_paid_in_the_admin(staff_client, owner):
    invoice = invoice_draft(account=owner, period=date(2026, 11, 1), issued=datetime(2026, 12, 1, tzinfo=UTC))
    invoice.save()
    response = staff_client.post(
        "/admin/accounts/invoice/", {"action": "mark_paid", "_selected_action": [invoice.pk]}, follow=True
    )
    assert "1 invoice(s) marked paid." in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.paid


@pytest.mark.django_db
def test_the_admin_finds_domains_by_name_and_account(staff_client, owner, stranger):
    Domain.objects.create(account=owner, name="mine.example")
    Domain.objects.create(account=stranger, name="theirs.example")
    body = staff_client.get("/admin/accounts/domain/", {"q": "owner"}).content.decode()
    assert "mine.example" in body and "theirs.example" not in body


@pytest.mark.django_db
def test_the_admin_cannot_create_an_invoice_by_hand(staff_client):
    assert staff_client.get("/admin/accounts/invoice/add/").status_code == 403
    assert not Invoice.objects.exists()
