"""Steps that several browser tests take: signing in, confirming the password."""

from conftest import PASSWORD


def sign_in(page, account_id: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Account ID or email").fill(account_id)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/dashboard/")


def confirm_password_if_asked(page, password: str = PASSWORD) -> None:
    """allauth asks for the password again before sensitive actions."""
    if "/accounts/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Confirm").click()
