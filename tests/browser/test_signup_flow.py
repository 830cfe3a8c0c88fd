import pytest

from accounts.models import Account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_signs_up_reaches_the_dashboard_and_edits_account_details(page, settings, screenshot):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    page.goto("/")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Account ID").fill("browseruser")
    page.get_by_label("Email").fill("browser@example.com")
    page.get_by_label("Password:", exact=True).fill("a-long-Passphrase-42")
    page.get_by_label("Password (again)").fill("a-long-Passphrase-42")
    screenshot(page, "signup")
    page.get_by_role("button", name="Sign Up").click()

    page.wait_for_url("**/dashboard/")
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    screenshot(page, "dashboard")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account details").click()
    page.wait_for_url("**/account/")
    page.get_by_label("Invoice email").fill("not-an-email")
    page.get_by_role("button", name="Save details").click()
    assert page.get_by_text("Enter a valid email address.").is_visible()

    page.get_by_label("Invoice email").fill("billing@acme.test")
    page.get_by_label("Invoice company name").fill("Acme Ltd")
    page.get_by_label("Invoice address").fill("1 Main St\nSpringfield")
    page.get_by_role("button", name="Save details").click()
    assert page.get_by_text("Account details saved.").is_visible()
    screenshot(page, "account-details")

    account = Account.objects.get(username="browseruser")
    assert (account.invoice_email, account.invoice_company) == ("billing@acme.test", "Acme Ltd")
    assert account.invoice_address == "1 Main St\nSpringfield"
