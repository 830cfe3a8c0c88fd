"""By keyboard alone, with a focus you can see; forms that say what is wrong beside the field.

The every-page walk judges pages as a GET finds them. These tests press keys and send
forms, and judge what comes back: the key shown once, errors, success messages.
"""

import pytest

from conftest import PASSWORD, SCREENSHOT_DIR, sign_in
from tests.browser.checks import axe_problems, csp_violations, signed_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOLDER = SCREENSHOT_DIR / "forms"
MAIN_PAGES = ["/dashboard/", "/api-keys/", "/usage/", "/domains/", "/billing/", "/features/", "/account/"]

# The focused element, whether a focus ring shows (an outline or a box shadow), and its box.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== "none";
  const box = el.getBoundingClientRect();
  const label = el.innerText || el.getAttribute("aria-label") || el.name || el.id || "";
  return {
    name: `${el.tagName.toLowerCase()} ${label.trim().slice(0, 40)}`,
    ring,
    visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight,
  };
}"""


@pytest.fixture
def team_page(browser, live_server, client, team_owner):
    context = signed_in_context(
        browser, live_server, sign_in(client, team_owner), viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    assert not csp_violations(page)
    context.close()


def tab_to(page, test: str, limit: int = 60):
    """Press Tab until the focused element passes `test` (a JS predicate on the element)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {test})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {test}")


def judge(page, name: str) -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(FOLDER / f"{name}.png"), full_page=True)
    assert not axe_problems(page), axe_problems(page)
    assert not csp_violations(page)


def test_the_first_tab_shows_the_skip_link_and_it_jumps_to_the_content(team_page):
    team_page.goto("/dashboard/")
    team_page.keyboard.press("Tab")
    state = team_page.evaluate(FOCUS_STATE)
    assert state["name"].startswith("a Skip to content") and state["visible"] and state["ring"]
    team_page.keyboard.press("Enter")
    assert team_page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("path", MAIN_PAGES)
def test_every_control_of_a_page_shows_its_focus_when_reached_by_tab(team_page, path, team_owner):
    from apikeys.services import api_key_create

    api_key_create(account=team_owner, name="ci")
    team_owner.domains.create(name="acme.example")
    team_page.goto(path)
    controls = team_page.locator(
        "a[href], button:not([disabled]):not([hidden]), input:not([type=hidden]):not([disabled]), select, textarea"
    ).count()
    seen, unringed = [], []
    for _ in range(controls + 1):
        team_page.keyboard.press("Tab")
        state = team_page.evaluate(FOCUS_STATE)
        if state is None:
            break
        seen.append(state["name"])
        if not (state["ring"] and state["visible"]):
            unringed.append(state["name"])
    assert len(seen) >= min(controls, 8), f"Tab reached only {seen}"
    assert not unringed, f"no visible focus on {unringed}"


def test_an_owner_creates_a_key_and_deletes_it_by_keyboard_alone(team_page):
    page = team_page
    page.goto("/api-keys/")
    tab_to(page, "el.id === 'id_name'")
    page.keyboard.type("keyboard-only")
    page.keyboard.press("Enter")
    page.wait_for_url("**/api-keys/create/")
    assert page.get_by_test_id("new-api-key").inner_text().startswith("k_")
    judge(page, "api-key-created")

    tab_to(page, "el.textContent.includes('I have stored it')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/api-keys/")
    tab_to(page, "el.textContent.includes('Delete') && el.textContent.includes('keyboard-only')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/delete/")
    judge(page, "api-key-delete-confirm")
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Delete key'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/api-keys/")
    message = page.get_by_role("status")
    assert 'API key "keyboard-only" deleted' in message.inner_text()
    judge(page, "api-key-deleted")


def test_a_wrong_sign_in_says_so_above_the_form(browser, live_server, client, owner):
    context = signed_in_context(browser, live_server, client)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Account ID or email").fill("owner")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign In").click()
    assert page.locator(".errorlist").first.is_visible()
    judge(page, "sign-in-error")
    context.close()


def test_sign_up_errors_sit_beside_each_field(browser, live_server, client):
    context = signed_in_context(browser, live_server, client)
    page = context.new_page()
    page.goto("/accounts/signup/")
    page.get_by_label("Account ID").fill("Not Valid!")
    page.get_by_label("Email").fill("new@example.com")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD + "-other")
    page.get_by_role("button", name="Sign Up").click()
    invalid = page.locator("[aria-invalid=true]")
    assert invalid.count() >= 2
    judge(page, "sign-up-errors")
    context.close()


def test_a_duplicate_key_name_and_a_bad_domain_are_refused_beside_the_field(team_page, team_owner):
    from apikeys.services import api_key_create

    api_key_create(account=team_owner, name="taken")
    page = team_page
    page.goto("/api-keys/")
    page.get_by_label("Key name").fill("taken")
    page.get_by_role("button", name="Generate new API key").click()
    assert page.get_by_label("Key name").get_attribute("aria-invalid") == "true"
    judge(page, "api-key-name-taken")

    page.goto("/domains/")
    page.get_by_label("Domain name").fill("http://not a domain/")
    page.get_by_role("button", name="Add domain").click()
    assert page.get_by_label("Domain name").get_attribute("aria-invalid") == "true"
    judge(page, "domain-invalid")


def test_saving_account_details_confirms_it_and_a_bad_email_is_explained(team_page):
    page = team_page
    page.goto("/account/")
    page.get_by_label("Invoice email").fill("billing@")
    page.get_by_role("button", name="Save details").click()
    assert page.get_by_label("Invoice email").get_attribute("aria-invalid") == "true"
    judge(page, "account-details-error")
    page.get_by_label("Invoice email").fill("billing@example.com")
    page.get_by_role("button", name="Save details").click()
    assert "Account details saved." in page.get_by_role("status").inner_text()
    judge(page, "account-details-saved")
