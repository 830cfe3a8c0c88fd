from datetime import UTC, date, datetime

import pytest

from accounts.billing import invoice_draft
from accounts.models import Domain
from tests.browser.flows import confirm_password_if_asked, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_adds_and_verifies_a_domain_then_opens_billing_and_an_invoice(
    page, team_owner, dns_server, screenshot
):
    invoice = invoice_draft(account=team_owner, period=date(2026, 11, 1), issued=datetime(2026, 12, 1, 2, tzinfo=UTC))
    invoice.save()
    sign_in(page, "teamowner")

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Custom domains").click()
    page.get_by_label("Domain name").fill("https://acme-test.example")
    page.get_by_role("button", name="Add domain").click()
    assert page.get_by_text("without http:// or https://").is_visible()

    page.get_by_label("Domain name").fill("Acme-Test.Example.")
    page.get_by_role("button", name="Add domain").click()
    assert page.get_by_text("Added acme-test.example").is_visible()
    assert page.get_by_text("Pending verification").is_visible()
    txt = page.locator(".txt-value").inner_text().strip()
    assert txt == Domain.objects.get(account=team_owner).verification_txt
    screenshot(page, "domains-pending")

    page.get_by_role("button", name="Verify now acme-test.example").click()
    assert page.get_by_text("acme-test.example is not verified yet").is_visible()

    dns_server.set_txt("acme-test.example", txt)
    page.get_by_role("button", name="Verify now acme-test.example").click()
    assert page.get_by_text("acme-test.example is verified.").is_visible()
    assert page.locator(".domain-item .badge-ok", has_text="Verified").is_visible()
    assert Domain.objects.get(account=team_owner).verified
    screenshot(page, "domains-verified")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "domains-verified-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    nav.get_by_role("link", name="Billing").click()
    assert page.get_by_role("heading", name="Billing").is_visible()
    assert page.get_by_text("$99.00 a month").is_visible()
    screenshot(page, "billing")
    page.get_by_role("link", name=invoice.number, exact=True).click()
    assert page.get_by_role("heading", name=f"Invoice {invoice.number}").is_visible()
    assert page.get_by_role("button", name="Print / Save as PDF").is_visible()
    assert page.get_by_text("Total due (USD)").is_visible()
    screenshot(page, "invoice")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "invoice-phone")


def test_an_owner_is_refused_a_downgrade_with_the_reason_and_upgrades_at_once(page, team_owner, screenshot):
    Domain.objects.create(account=team_owner, name="kept.example")
    sign_in(page, "teamowner")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account features").click()
    assert page.get_by_role("columnheader", name="Business your plan").is_visible()

    page.get_by_label("Free: free").check()
    page.get_by_role("button", name="Change plan").click()
    confirm_password_if_asked(page)
    assert page.get_by_text("the Free plan includes no custom domains").is_visible()
    screenshot(page, "features-downgrade-refused")

    page.get_by_label("Enterprise: $499.00 a month").check()
    page.get_by_role("button", name="Change plan").click()
    confirm_password_if_asked(page)
    assert page.get_by_text("You are now on the Enterprise plan.").is_visible()
    team_owner.refresh_from_db()
    assert team_owner.plan == "enterprise"

    page.get_by_label("Allow them, and bill the overage on the next invoice").check()
    page.get_by_role("button", name="Save quota options").click()
    confirm_password_if_asked(page)
    assert page.get_by_text("Account features saved.").is_visible()
    team_owner.refresh_from_db()
    assert team_owner.overage_allowed
    screenshot(page, "features")


@pytest.mark.parametrize("plan", ["indie", "business"])
def test_on_a_phone_the_plan_table_opens_at_the_owners_plan_beside_the_row_labels(page, make_account, plan):
    make_account("planowner", plan=plan)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "planowner")
    page.goto("/features/")
    table = page.locator(".plan-table")
    own = table.locator("th.plan-current").bounding_box()
    label = table.locator("th[scope='row']", has_text="Kind").bounding_box()
    wrap = page.locator(".plan-table").locator("xpath=..").bounding_box()
    # The owner's plan column starts right after the sticky labels and fits on the screen.
    assert label["x"] + label["width"] - 1 <= own["x"] <= label["x"] + label["width"] + 1
    assert own["x"] + own["width"] <= wrap["x"] + wrap["width"]
