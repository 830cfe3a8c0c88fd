"""/api/docs: Swagger UI from static files works under the strict Content-Security-Policy."""

import pytest

from tests.browser.checks import CSP_LISTENER, csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_try_a_call_with_a_key_under_the_policy(page, team_owner):
    from apikeys.services import api_key_create

    _key, secret = api_key_create(account=team_owner, name="docs")
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.context.add_init_script(CSP_LISTENER)
    page.goto("/api/docs")
    page.get_by_role("button", name="Authorize").click()
    page.locator(".modal-ux input").first.fill(secret)
    page.locator(".modal-ux .auth-btn-wrapper .authorize").first.click()
    page.locator(".modal-ux .btn-done").first.click()
    page.locator("#operations-Account-apikeys_api_me .opblock-summary-control").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    status = page.locator(".live-responses-table tbody .response-col_status").first
    assert status.inner_text().strip() == "200"
    assert '"_id": "teamowner"' in page.locator(".live-responses-table .microlight").first.inner_text()
    assert not csp_violations(page)
    assert not errors
