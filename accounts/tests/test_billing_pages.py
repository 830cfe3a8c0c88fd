from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from accounts.billing import invoice_draft
from accounts.models import Invoice


def make_invoice(account, period=date(2026, 11, 1), **fields):
    invoice = invoice_draft(account=account, period=period, issued=datetime(2026, 12, 1, 2, tzinfo=UTC))
    for name, value in fields.items():
        setattr(invoice, name, value)
    invoice.save()
    return invoice


@pytest.mark.django_db
def test_the_billing_page_shows_plan_price_quota_and_invoice_contact(owner_client, owner):
    owner.invoice_email = "billing@acme.test"
    owner.invoice_company = "Acme Ltd"
    owner.invoice_address = "1 Main St\nSpringfield"
    owner.save()
    body = owner_client.get("/billing/").content.decode()
    for text in [
        "Indie",
        "$29.00 a month",
        "100,000 operations",
        "billing@acme.test",
        "Acme Ltd",
        "1 Main St<br>Springfield",
    ]:
        assert text in body
    assert "Pay by invoice" in body
    assert "No invoices yet." in body


@pytest.mark.django_db
def test_the_billing_page_names_the_account_email_when_no_invoice_email_is_set(owner_client):
    body = owner_client.get("/billing/").content.decode()
    assert "owner@example.com" in body
    assert "(your account email)" in body


@pytest.mark.django_db
def test_the_billing_page_lists_the_invoice_history_newest_first(owner_client, owner):
    older = make_invoice(owner, period=date(2026, 10, 1), paid_at=timezone.now())
    newer = make_invoice(owner, period=date(2026, 11, 1))
    body = owner_client.get("/billing/").content.decode()
    assert body.index(newer.number) < body.index(older.number)
    assert f"/billing/invoices/{newer.number}/" in body
    assert "Paid" in body


@pytest.mark.django_db
def test_an_invoice_page_shows_the_invoice_printably(owner_client, owner):
    invoice = make_invoice(owner, bill_to_company="Acme Ltd")
    response = owner_client.get(f"/billing/invoices/{invoice.number}/")
    assert response.status_code == 200
    body = response.content.decode()
    for text in [
        f"Invoice {invoice.number}",
        "November 2026",
        "Indie plan",
        "$29.00",
        "Acme Ltd",
        "Print / Save as PDF",
    ]:
        assert text in body
    assert "js/print.js" in body


@pytest.mark.django_db
def test_an_invoice_downloads_as_a_standalone_html_file(owner_client, owner):
    invoice = make_invoice(owner)
    response = owner_client.get(f"/billing/invoices/{invoice.number}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="invoice-{invoice.number}.html"'
    body = response.content.decode()
    assert body.startswith("<!DOCTYPE html>")
    assert invoice.number in body and "$29.00" in body


@pytest.mark.django_db
def test_a_strangers_invoice_answers_404(owner_client, stranger):
    invoice = make_invoice(stranger)
    assert owner_client.get(f"/billing/invoices/{invoice.number}/").status_code == 404
    assert owner_client.get(f"/billing/invoices/{invoice.number}/download/").status_code == 404


@pytest.mark.django_db
def test_billing_pages_require_sign_in(client):
    for url in ["/billing/", "/billing/invoices/MS-202611-000001/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_an_invoice_number_is_unique_per_account_and_month(owner):
    make_invoice(owner)
    assert Invoice.objects.get().number == f"MS-202611-{owner.pk:06d}"
