"""An owner opens a domain's forwarding page from the domain list, adds rules and sees recent forwards."""

import pytest
from django.utils import timezone

from accounts.models import Domain
from capture.models import Delivery, ForwardingRule, Message
from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, account_id):
    page.goto("/accounts/login/")
    page.get_by_label("Account ID or email").fill(account_id)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/dashboard/")


def forwards_of(domain):
    """Two forwards already made: one delivered, one that failed."""
    message = Message.objects.create(
        account=domain.account,
        domain=domain,
        kind=Message.Kind.INBOUND,
        mail_from="shop@example.net",
        rcpt_to=[f"orders@{domain.name}"],
        subject="Your order 1001 has shipped",
        size=2048,
        raw=b"Subject: Your order 1001 has shipped\r\n\r\nHi\r\n",
    )
    rules = {rule.kind: rule for rule in ForwardingRule.objects.filter(domain=domain)}
    Delivery.objects.create(
        message=message,
        rule=rules["webhook"],
        kind="webhook",
        target="https://example.com/in",
        status="delivered",
        attempts=2,
    )
    Delivery.objects.create(
        message=message,
        rule=rules["slack"],
        kind="slack",
        target="https://hooks.slack.com/services/T0/B0/X",
        status="failed",
        attempts=1,
        last_error="The endpoint answered HTTP 404.",
    )


def test_an_owner_adds_a_webhook_rule_and_an_address_rule(page, team_owner, screenshot, settings):
    domain = Domain.objects.create(account=team_owner, name="acme-mail.example", verified_at=timezone.now())
    sign_in(page, "teamowner")
    assert page.locator(".stat-label", has_text="Messages captured this month").is_visible()
    screenshot(page, "dashboard-capture")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Custom domains").click()
    page.get_by_role("link", name="Forwarding for acme-mail.example").click()
    assert page.get_by_role("heading", name="Forwarding for acme-mail.example").is_visible()
    assert page.get_by_text("No forwarding rules yet.").is_visible()

    page.get_by_label("Webhook").check()
    page.get_by_label("URL").fill("http://10.0.0.5/hook")
    page.get_by_role("button", name="Add rule").click()
    assert page.get_by_text("private, loopback or reserved").is_visible()
    screenshot(page, "forwarding-error")

    page.get_by_label("URL").fill("https://example.com/in")
    page.get_by_role("button", name="Add rule").click()
    assert page.get_by_text("Mail for *@acme-mail.example is now forwarded to Webhook.").is_visible()

    page.get_by_label("Address").fill("alerts")
    page.get_by_label("Slack").check()
    page.get_by_label("URL").fill("https://hooks.slack.com/services/T0/B0/X")
    page.get_by_role("button", name="Add rule").click()
    assert page.get_by_role("cell", name="alerts@acme-mail.example").is_visible()
    assert ForwardingRule.objects.filter(domain=domain).count() == 2

    forwards_of(domain)
    page.reload()
    assert page.get_by_text("The endpoint answered HTTP 404.").is_visible()
    screenshot(page, "forwarding")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "forwarding-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Remove the Slack rule for alerts@acme-mail.example").click()
    screenshot(page, "forwarding-remove")
    page.get_by_role("button", name="Remove rule").click()
    assert page.get_by_text("Removed the Slack rule for alerts@acme-mail.example.").is_visible()
    assert ForwardingRule.objects.filter(domain=domain).count() == 1
