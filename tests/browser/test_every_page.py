"""Every page of the URLconf, for every kind of visitor, in a real browser.

The list of pages comes from the URLconf itself, so a page added tomorrow is
visited tomorrow; a pattern that needs a value this file cannot give fails the
walk until a sample is added to `object_kwargs`. Each HTML page must answer
without a 500, log no console error, break no Content-Security-Policy rule,
pass axe-core with no serious or critical violation at desktop and phone width
(a table that scrolls sideways on a phone must be reachable by keyboard), not
scroll sideways on a phone itself, and carry a title and one h1. Screenshots of each page at 1280 and 390
pixels wide go to screenshots/every-page/<visitor>/ (git-ignored).
"""

import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from conftest import SCREENSHOT_DIR, sign_in
from tests.browser.checks import axe_problems, csp_violations, signed_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLANS = ["free", "basic", "indie", "business", "enterprise"]
VISITORS = ["anonymous", *PLANS, "key-session", "staff"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# JSON and the like: the API has its own tests; /api/docs is the API's one HTML page.
NOT_PAGES = re.compile(r"^/api/(?!docs$)")

# Markup that is not ours to change: Swagger UI renders each operation's path link inside its
# toggle button. Everything else on /api/docs (language, contrast) is fixed in our template.
THIRD_PARTY_MARKUP = {"/api/docs": frozenset({"nested-interactive"})}
# axe judges markup and styles, not words: a page whose markup matches one already judged (the
# same allauth page for another plan, say) is not judged again. The fingerprint keeps every tag
# and attribute, digits folded, URLs and form values left out, and whether each text is empty.
MARKUP_FINGERPRINT = """
async () => {
  const skipped = new Set(["href", "action", "src", "value", "content"]);
  const parts = [];
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        if (child.textContent.trim()) parts.push("T");
      } else if (child.nodeType === Node.ELEMENT_NODE) {
        const attributes = [...child.attributes]
          .map((a) => (skipped.has(a.name) ? a.name : `${a.name}=${a.value.replace(/[0-9]+/g, "#")}`))
          .sort();
        parts.push(`<${child.tagName} ${attributes.join(" ")}>`);
        walk(child);
        parts.push("</>");
      }
    }
  };
  walk(document.documentElement);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("")));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
"""
# (viewport width, fingerprint) -> the axe problems found for it, across visitors (one pytest process).
JUDGED: dict[tuple[int, str], list[tuple[str, str]]] = {}


# -- The URLconf -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name"
    kwargs: tuple[str, ...]
    route: str


def url_patterns(resolver=None, namespace="", prefix="", groups=()):
    """Every named pattern with the names of the values it takes."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        inner_groups = groups + tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry, inner, prefix + str(entry.pattern), inner_groups)
        elif isinstance(entry, URLPattern) and entry.name:
            yield Pattern(f"{namespace}{entry.name}", inner_groups, prefix + str(entry.pattern))


def admin_object_kwargs(name: str) -> dict | None:
    """Values for an admin pattern: the first object of its model, its app, a content type."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    match = re.fullmatch(r"admin:(\w+?)_(\w+)_(change|delete|history|password_change)", name)
    if match:
        app_label, model_name = match.group(1), match.group(2)
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.model_name == model_name:
                obj = model.objects.order_by("pk").first()
                key = "id" if match.group(3) == "password_change" else "object_id"
                return {key: str(obj.pk) if obj else "0"}
    if name == "admin:auth_user_password_change":
        from accounts.models import Account

        first = Account.objects.order_by("pk").first()
        return {"id": str(first.pk) if first else "0"}
    if name == "admin:app_list":
        return {"app_label": "accounts"}
    if name == "admin:view_on_site":
        account_type = ContentType.objects.get(app_label="accounts", model="account")
        return {"content_type_id": account_type.pk, "object_id": "1"}
    if name == "admin:catch_all_view":
        return {"url": "no-such-page/"}
    return None


def generic_admin_page(name: str) -> bool:
    """Django's history and delete confirmation pages are the same template for every model:
    staff see them for the Account model only, which keeps the walk's time in bounds."""
    return bool(re.fullmatch(r"admin:\w+_(history|delete)", name)) and not name.startswith("admin:accounts_account_")


def visit_list(objects: dict) -> list[tuple[str, str]]:
    """(url name, path) for every pattern; fails for a pattern this file cannot fill in."""
    visits, unknown = [], []
    for pattern in url_patterns():
        if pattern.name.startswith("admin:"):
            kwargs = admin_object_kwargs(pattern.name) if pattern.kwargs else {}
        else:
            kwargs = objects.get(pattern.name) if pattern.kwargs else {}
        if kwargs is None or set(kwargs) != set(pattern.kwargs):
            unknown.append(f"{pattern.name} {pattern.route} {pattern.kwargs}")
            continue
        visits.append((pattern.name, reverse(pattern.name, kwargs=kwargs)))
    assert not unknown, "give these patterns sample values in object_kwargs():\n" + "\n".join(unknown)
    seen, unique = set(), []
    for name, path in visits:
        if path not in seen:
            seen.add(path)
            unique.append((name, path))
    return unique


# -- The people and their things ---------------------------------------------------------------


def owner_with_things(make_account, plan: str, username: str | None = None):
    """An owner on `plan` holding what the plan allows: keys, domains, a rule, an invoice, a message."""
    from accounts.billing import add_months, invoice_draft, month_start
    from apikeys.services import api_key_create
    from capture.models import ForwardingRule, Message

    account = make_account(username or f"{plan}owner", plan=plan, invoice_company=f"{plan.title()} Example Ltd")
    key, _secret = api_key_create(account=account, name="production")
    if account.is_team_plan:
        staging, _secret = api_key_create(account=account, name="staging")
        staging.website_login = True
        staging.save(update_fields=["website_login"])
    domain = pending = rule = None
    if account.limits.domains:
        domain = account.domains.create(name=f"{account.username}.example", verified_at=timezone.now())
        rule = ForwardingRule.objects.create(
            domain=domain, local_part="alerts", kind="webhook", url="https://hooks.example.com/mailsac"
        )
    if account.limits.domains > 1:
        pending = account.domains.create(name=f"staging.{account.username}.example")
    message = Message.objects.create(
        account=account,
        key=key,
        domain=domain,
        kind=Message.Kind.CAPTURED,
        mail_from="app@example.com",
        rcpt_to=[f"alerts@{domain.name}" if domain else "alerts@example.com"],
        subject="Your sign-in code",
        headers=[["Subject", "Your sign-in code"]],
        size=120,
        raw=b"Subject: Your sign-in code\r\n\r\n123456\r\n",
    )
    usage_history(account, keys=[key], domain=domain)
    period = add_months(month_start(timezone.now().date()), -1)
    invoice = invoice_draft(
        account=account, period=period, issued=datetime.combine(add_months(period, 1), time(2), tzinfo=UTC)
    )
    if invoice is not None:
        invoice.save()
    return account, {
        "key": key,
        "domain": domain,
        "pending": pending,
        "rule": rule,
        "invoice": invoice,
        "message": message,
    }


def usage_history(account, *, keys, domain) -> None:
    """Half a year of API calls and messages, flushed and rolled up: the usage page has a story."""
    from usage.models import Direction, Service
    from usage.services import record, usage_flush, usage_rollup

    now = timezone.now()
    for back in range(6):
        at = now - timedelta(days=30 * back)
        for key in keys:
            record(account=account, service=Service.API, key=key, count=900 * (6 - back), at=at)
        if domain:
            record(
                account=account,
                service=Service.CAPTURE,
                domain=domain,
                direction=Direction.INBOUND,
                size=2_400_000,
                count=120,
                at=at,
            )
            record(
                account=account,
                service=Service.WEBHOOK,
                domain=domain,
                direction=Direction.OUTBOUND,
                size=310_000,
                count=40,
                at=at,
            )
    usage_flush(now=now + timedelta(hours=2))
    usage_rollup(now=now)


def object_kwargs(things: dict) -> dict[str, dict]:
    """URL name -> the values for its pattern, pointing at the visitor's own objects where it has them."""
    key, domain, rule, invoice = things.get("key"), things.get("domain"), things.get("rule"), things.get("invoice")
    message = things.get("message")
    domain_name = domain.name if domain else "nothing-here.example"
    pending_name = things["pending"].name if things.get("pending") else domain_name
    invoice_number = invoice.number if invoice else "MS-NOTHING"
    return {
        "apikeys:delete": {"pk": key.pk if key else 999_999},
        "apikeys:website_login": {"pk": key.pk if key else 999_999},
        "domains:verify": {"name": pending_name},
        "domains:remove": {"name": domain_name},
        "forwarding:list": {"name": domain_name},
        "forwarding:add": {"name": domain_name},
        "forwarding:remove": {"name": domain_name, "pk": rule.pk if rule else 999_999},
        "billing:invoice": {"number": invoice_number},
        "api:get_message": {"message_id": message.public_id if message else "nothing"},
        "billing:invoice_download": {"number": invoice_number},
        # allauth's links from emails, with keys that are not valid: the pages that say so.
        "account_confirm_email": {"key": "no-such-key"},
        "account_reset_password_from_key": {"uidb36": "1", "key": "no-such-key"},
    }


@dataclass
class Visitor:
    name: str
    client: Client
    things: dict = field(default_factory=dict)


def visitor_for(name: str, make_account) -> Visitor:
    client = Client()
    if name == "anonymous":
        return Visitor(name, client)
    if name == "key-session":
        account, things = owner_with_things(make_account, "business", username="teamowner")
        from apikeys.services import api_key_create

        key, secret = api_key_create(account=account, name="viewer")
        key.website_login = True
        key.save(update_fields=["website_login"])
        response = client.post(
            "/api-key-login/", {"account_id": account.username, "key_name": "viewer", "api_key": secret}
        )
        assert response.status_code == 302, "API Key Login failed"
        return Visitor(name, client, things)
    if name == "staff":
        account, things = owner_with_things(make_account, "business", username="support")
        account.is_staff = account.is_superuser = True
        account.save(update_fields=["is_staff", "is_superuser"])
        return Visitor(name, sign_in(client, account), things)
    account, things = owner_with_things(make_account, name)
    if name == "business":
        # An email change waiting for its confirmation: the email page in its second state.
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=account, email="new-address@example.com", verified=False, primary=False)
    return Visitor(name, sign_in(client, account), things)


# -- One page in the browser ----------------------------------------------------------------------


class PageCheck:
    """Visits pages in one browser context (one visitor) and collects what is wrong."""

    def __init__(self, context, visitor: str):
        self.visitor = visitor
        self.page = context.new_page()
        self.page.set_default_timeout(15_000)
        self.console_errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))
        self.problems: list[str] = []
        self.report: list[str] = []
        self.seen_error_pages: set[str] = set()
        self.folder = SCREENSHOT_DIR / "every-page" / visitor
        self.folder.mkdir(parents=True, exist_ok=True)

    def _console(self, message):
        if message.type != "error":
            return
        # The browser logs the status of a page that answers 4xx on purpose (403, 404): not a fault.
        if message.text.startswith("Failed to load resource: the server responded with a status of 4") and (
            message.location.get("url", "") == self.page.url
        ):
            return
        self.console_errors.append(message.text)

    def visit(self, name: str, path: str, expected_status: int) -> None:
        page = self.page
        self.console_errors.clear()
        page.set_viewport_size(DESKTOP)
        response = page.goto(path)
        status = response.status if response else 0
        where = f"{self.visitor} {path} ({name})"
        if status != expected_status:
            self.problems.append(f"{where}: the browser got {status}, the test client {expected_status}")
        if status >= 500:
            return
        if status >= 400:
            signature = f"{status} {page.locator('main').inner_text()}"
            if signature in self.seen_error_pages:
                self.report.append(f"{path}: {status}, the same page as before")
                return
            self.seen_error_pages.add(signature)
        title, headings = page.evaluate("() => [document.title, document.querySelectorAll('h1').length]")
        if not title or title.startswith("·"):
            self.problems.append(f"{where}: no page title")
        if headings != 1 and path != "/api/docs":
            self.problems.append(f"{where}: {headings} h1 headings, expected one")
        self._check_axe(where, path)
        slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
        page.screenshot(path=str(self.folder / f"{slug}-1280.png"), full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(self.folder / f"{slug}-390.png"), full_page=True)
        self._check_axe(f"{where} at 390 wide", path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            self.problems.append(f"{where}: scrolls sideways by {overflow}px at 390 wide")
        self.problems.extend(f"{where}: CSP violation: {violation}" for violation in csp_violations(page))
        self.problems.extend(f"{where}: console error: {error}" for error in self.console_errors)
        self.report.append(f"{path}: {status}, checked")

    def _check_axe(self, where: str, path: str) -> None:
        judged = (self.page.viewport_size["width"], self.page.evaluate(MARKUP_FINGERPRINT))
        if judged not in JUDGED:
            JUDGED[judged] = axe_problems(self.page, ignore=THIRD_PARTY_MARKUP.get(path, frozenset()))
        self.problems.extend(f"{where}: axe {impact} {text}" for impact, text in JUDGED[judged])


def classify(client: Client, path: str):
    """How the page answers a GET from the visitor's own session (the browser shares it)."""
    try:
        response = client.get(path)
    except Exception as error:
        return "error", f"{type(error).__name__}: {error}", None
    content_type = response.get("Content-Type", "")
    if response.status_code >= 500:
        return "error", f"{response.status_code}", None
    if response.status_code in (301, 302, 303, 307, 308):
        return "redirect", response["Location"], response.status_code
    if response.status_code == 405:
        return "post-only", response.get("Allow", ""), 405
    if response.get("Content-Disposition", "").startswith("attachment"):
        return "download", content_type, response.status_code
    if not content_type.startswith("text/html"):
        return "not-a-page", content_type, response.status_code
    return "page", "", response.status_code


@pytest.fixture(scope="module")
def every_page_report():
    shutil.rmtree(SCREENSHOT_DIR / "every-page", ignore_errors=True)
    lines: list[str] = []
    yield lines
    (SCREENSHOT_DIR / "every-page").mkdir(parents=True, exist_ok=True)
    (SCREENSHOT_DIR / "every-page" / "report.txt").write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("visitor_name", VISITORS)
def test_every_page_is_accessible_and_within_its_security_policy(
    visitor_name, browser, live_server, make_account, every_page_report
):
    visitor = visitor_for(visitor_name, make_account)
    visits = visit_list(object_kwargs(visitor.things))
    # Only support staff see inside the admin; for everyone else each admin URL is the same
    # redirect to its sign-in page, so one of them stands for all.
    if visitor_name != "staff":
        visits = [(name, path) for name, path in visits if not path.startswith("/admin/") or path == "/admin/"]
    else:
        visits = [(name, path) for name, path in visits if path.startswith("/admin/") and not generic_admin_page(name)]

    context = signed_in_context(browser, live_server, visitor.client, viewport=DESKTOP)
    check = PageCheck(context, visitor_name)
    checked: set[str] = set()
    queue = [(name, path) for name, path in visits if not NOT_PAGES.match(path)]
    try:
        while queue:
            name, path = queue.pop(0)
            bare = path.split("?")[0]
            if bare in checked:
                continue
            checked.add(bare)
            kind, detail, status = classify(visitor.client, path)
            if kind == "error":
                check.problems.append(f"{visitor_name} {path} ({name}): server error {detail}")
            elif kind == "redirect":
                check.report.append(f"{path}: redirects to {detail}")
                if detail.startswith("/"):
                    queue.insert(0, (f"after {name}", detail))
            elif kind == "page":
                check.visit(name, path, status)
            else:
                check.report.append(f"{path}: {kind} {detail} ({status})")
    finally:
        context.close()
    every_page_report.extend([f"== {visitor_name}", *check.report])
    assert not check.problems, f"{len(check.problems)} problems:\n" + "\n".join(check.problems)
