import pytest

from accounts.models import Account, DeletionRequest
from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_eager")]


def test_an_owner_deletes_the_account_end_to_end(page, owner, screenshot):
    page.goto("/accounts/login/")
    page.get_by_label("Account ID or email").fill("owner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/dashboard/")

    page.goto("/account/")
    page.get_by_role("link", name="Request account deletion").click()
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/account/delete/")
    assert page.get_by_role("heading", name="This cannot be undone").is_visible()

    page.get_by_label("Type your Account ID to confirm").fill("own")
    page.get_by_role("button", name="Delete my account permanently").click()
    assert page.get_by_text("typed in full. Nothing was deleted.").is_visible()
    screenshot(page, "account-delete")

    page.get_by_label("Type your Account ID to confirm").fill("owner")
    page.get_by_role("button", name="Delete my account permanently").click()
    page.wait_for_url("**/account/deleted/")
    assert page.get_by_role("heading", name="Your account is deleted").is_visible()
    assert DeletionRequest.objects.get().purged_at is not None
    assert not Account.objects.filter(pk=owner.pk).exists()

    page.goto("/accounts/login/")
    page.get_by_label("Account ID or email").fill("owner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    assert "/dashboard/" not in page.url
