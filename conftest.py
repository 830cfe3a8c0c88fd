"""Shared people and tools for the whole suite.

People: an individual-plan owner, a team-plan owner, a stranger. Each has a
verified email, so they can sign in under mandatory verification too.
"""

import os
import shutil
import socket
import subprocess
import threading
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
def _empty_key_cache():
    """API keys cached in process memory (production mode) never outlive their test."""
    from apikeys import key_cache

    key_cache._rows.clear()
    yield
    key_cache._rows.clear()


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


@pytest.fixture
def celery_eager():
    """Run Celery tasks in process, as embedded mode does, also when REDIS_URL is set."""
    from mailsac_accounts.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


# Real Redis servers of the tests' own: one for the session, or one per test that may kill it.


def free_port() -> int:
    """A loopback port that nothing listens on (for now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of the test's own, started and killed at will."""

    def __init__(self, directory):
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
                "--maxmemory-policy",
                "noeviction",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        # Block on the server's own log until it accepts connections: no sleeping, no polling.
        for line in self.process.stdout:
            if "Ready to accept connections" in line:
                break
        else:
            raise RuntimeError(f"redis-server on port {self.port} did not start")
        return self

    def kill(self):
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.kill()


@pytest.fixture(scope="session")
def _session_redis(tmp_path_factory):
    server = PrivateRedis(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def metering_redis(_session_redis, settings):
    """Metering on real Redis (a private server, emptied for each test)."""
    from accounts.redis_client import redis_client

    settings.REDIS_URL = _session_redis.url
    client = redis_client()
    client.flushdb()
    return client


@pytest.fixture
def private_redis(tmp_path, settings):
    """Metering on a private Redis server of this test alone, which the test may kill."""
    server = PrivateRedis(tmp_path).start()
    settings.REDIS_URL = server.url
    yield server
    server.stop()


# A real DNS server on loopback (dnslib), answering TXT records that tests set; never the internet.


class _TxtRecords:
    """The answers of the loopback DNS server, keyed by lowercase IDNA name."""

    def __init__(self):
        self._lock = threading.Lock()
        self._txt: dict[str, list[str]] = {}
        self._failing: set[str] = set()

    def clear(self):
        with self._lock:
            self._txt.clear()
            self._failing.clear()

    def set_txt(self, name: str, *values: str | list[str]):
        with self._lock:
            self._txt[_dns_key(name)] = list(values)

    def remove(self, name: str):
        with self._lock:
            self._txt.pop(_dns_key(name), None)

    def fail(self, name: str):
        """Answer SERVFAIL for this name, as a broken authoritative server would."""
        with self._lock:
            self._failing.add(_dns_key(name))

    def resolve(self, request, handler):
        from dnslib import QTYPE, RCODE, RR, TXT

        reply = request.reply()
        name = _dns_key(str(request.q.qname))
        with self._lock:
            failing = name in self._failing
            values = self._txt.get(name)
        if failing:
            reply.header.rcode = RCODE.SERVFAIL
        elif values is None:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype == QTYPE.TXT:
            for value in values:
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=0))
        return reply


def _dns_key(name: str) -> str:
    name = name.strip().rstrip(".").lower()
    return name.encode("idna").decode("ascii") if not name.isascii() else name


@pytest.fixture(scope="session")
def _loopback_dns():
    from dnslib.server import DNSLogger, DNSServer

    records = _TxtRecords()
    server = DNSServer(records, address="127.0.0.1", port=0, logger=DNSLogger("-request,-reply,-truncated,-error"))
    server.start_thread()
    yield records, server.server.server_address[1]
    server.stop()


@pytest.fixture
def dns_server(_loopback_dns, settings):
    """A loopback DNS server the app resolves through (settings.DNS_RESOLVER).

    `dns_server.set_txt("example.com", "mailsac-verification=...", "v=spf1 -all")`
    publishes one TXT record per value (a list value is one record of several
    strings), `remove(name)` takes them away, `fail(name)` answers SERVFAIL;
    any other name is NXDOMAIN. `dns_server.address` is "127.0.0.1:PORT".
    """
    records, port = _loopback_dns
    records.clear()
    records.address = f"127.0.0.1:{port}"
    settings.DNS_RESOLVER = records.address
    yield records
    records.clear()


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
