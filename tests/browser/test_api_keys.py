import json
import urllib.request

import pytest

from apikeys.models import ApiKey
from tests.browser.flows import confirm_password_if_asked, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_creates_a_key_uses_it_on_the_api_and_deletes_it(page, live_server, team_owner, screenshot):
    sign_in(page, "teamowner")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API Keys and Users").click()
    page.get_by_label("Key name").fill("ci-staging")
    page.get_by_role("button", name="Generate new API key").click()
    secret = page.get_by_test_id("new-api-key").inner_text().strip()
    assert secret.startswith("k_")
    assert page.get_by_text("it will not be shown again").is_visible()
    screenshot(page, "api-key-created")

    request = urllib.request.Request(f"{live_server.url}/api/me", headers={"Mailsac-Key": secret})
    with urllib.request.urlopen(request) as response:
        assert json.load(response)["apiKeyName"] == "ci-staging"

    page.get_by_role("link", name="I have stored it").click()
    assert secret not in page.content()
    screenshot(page, "api-keys")
    page.get_by_role("link", name="Delete key ci-staging").click()
    confirm_password_if_asked(page)
    page.get_by_role("button", name="Delete key").click()
    assert page.get_by_text('API key "ci-staging" deleted').is_visible()
    assert not ApiKey.objects.filter(account=team_owner).exists()

    request = urllib.request.Request(f"{live_server.url}/api/me", headers={"Mailsac-Key": secret})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 401


def test_a_team_member_signs_in_by_key_and_is_kept_out_of_restricted_pages(
    page, browser, live_server, team_owner, screenshot
):
    sign_in(page, "teamowner")
    page.goto("/api-keys/")
    page.get_by_label("Key name").fill("member")
    page.get_by_role("button", name="Generate new API key").click()
    secret = page.get_by_test_id("new-api-key").inner_text().strip()
    page.goto("/api-keys/")
    page.get_by_role("button", name="Turn on website login for member").click()
    assert page.get_by_text('Website login for "member" is on.').is_visible()

    member = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}).new_page()
    member.goto("/accounts/login/")
    member.get_by_role("link", name="Sign in with an API key").click()
    member.get_by_label("Account ID").fill("teamowner")
    member.get_by_label("Key Name").fill("member")
    member.get_by_label("API Key").fill(secret)
    member.get_by_role("button", name="Sign in with API key").click()
    member.wait_for_url("**/dashboard/")
    assert member.get_by_text("Signed in with API key “member”").is_visible()
    screenshot(member, "key-session-dashboard")
    nav = member.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="API Usage").is_visible()
    assert nav.get_by_role("link", name="Billing").count() == 0
    member.goto("/usage/")
    assert member.get_by_role("heading", level=1).is_visible()

    for path in ["/billing/", "/features/"]:
        response = member.goto(path)
        assert response.status == 403, path
        assert member.get_by_text("A key session cannot open this page").is_visible()
    member.goto("/api-keys/")
    assert member.get_by_role("button", name="Generate new API key").count() == 0
    response = member.request.post(f"{live_server.url}/api-keys/create/", form={"name": "sneaky"})
    assert response.status == 403
    assert ApiKey.objects.filter(account=team_owner).count() == 1
    screenshot(member, "key-session-api-keys")
