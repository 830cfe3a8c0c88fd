"""Shared people and tools for the whole suite.

People: an individual-plan owner, a team-plan owner, a stranger. Each has a
verified email, so they can sign in under mandatory verification too.
"""

import os
import shutil
from pathlib import Path

import pytest

PASSWORD = "correct-horse-battery-9"
SCREENSHOT_DIR = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits and counters live in the cache; every test starts without them."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _local_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def make_account(db):
    from allauth.account.models import EmailAddress

    from accounts.models import Account

    def make(username: str, plan: str = "free", email: str | None = None, password: str = PASSWORD, **fields):
        email = email or f"{username}@example.com"
        account = Account.objects.create_user(username=username, email=email, password=password, plan=plan, **fields)
        EmailAddress.objects.create(user=account, email=email, verified=True, primary=True)
        return account

    return make


@pytest.fixture
def owner(make_account):
    return make_account("owner", plan="indie")


@pytest.fixture
def team_owner(make_account):
    return make_account("teamowner", plan="business")


@pytest.fixture
def stranger(make_account):
    return make_account("stranger", plan="business")


def sign_in(client, account, password=PASSWORD):
    """Sign in through allauth's login form, then confirm the password once more, so the
    session passes allauth's `reauthentication_required` for sensitive actions."""
    response = client.post("/accounts/login/", {"login": account.username, "password": password})
    assert response.status_code == 302, "sign-in failed"
    return reauthenticate(client, password)


def reauthenticate(client, password=PASSWORD):
    response = client.post("/accounts/reauthenticate/", {"password": password})
    assert response.status_code == 302, "reauthentication failed"
    return client


@pytest.fixture
def owner_client(client, owner):
    return sign_in(client, owner)


@pytest.fixture
def team_client(client, team_owner):
    return sign_in(client, team_owner)


# Browser tests: Debian's Chromium driven by Playwright, never a downloaded browser.


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls that tests
    # make between page actions are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under screenshots/ (git-ignored)."""

    def take(page, name: str):
        SCREENSHOT_DIR.mkdir(exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def pytest_sessionfinish(session, exitstatus):
    """In CI every test must run: a skip (a service missing, say) fails the run."""
    if os.environ.get("FAIL_ON_SKIP") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"FAIL_ON_SKIP: {len(skipped)} test(s) skipped; CI needs every test to run.", red=True)
        session.exitstatus = 1


@pytest.fixture
def viewer_key(team_owner):
    """A key of the team owner with website login on, and its secret."""
    from apikeys.services import api_key_create

    key, secret = api_key_create(account=team_owner, name="viewer")
    key.website_login = True
    key.save(update_fields=["website_login"])
    return key, secret


@pytest.fixture
def key_client(viewer_key):
    """A team member signed in by key: a restricted session through API Key Login."""
    from django.test import Client

    key, secret = viewer_key
    client = Client()
    response = client.post(
        "/api-key-login/", {"account_id": key.account.username, "key_name": key.name, "api_key": secret}
    )
    assert response.status_code == 302, "API Key Login failed"
    return client
