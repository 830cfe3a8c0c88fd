"""The outbound relay: AUTH with an API key, senders on the account's verified domains, a smarthost on loopback."""

import smtplib

import pytest

from usage.reports import usage_report

from .conftest import message_bytes, smtp_session

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def relay(capture_server, client_tls, smarthost, owner, make_key, make_domain):
    """A logged-in session on the relay listener, for an owner with the verified domain send.test."""
    make_domain(owner, "send.test")
    make_domain(owner, "unproven.test", verified=False)
    _key, secret = make_key(owner)
    with smtp_session(capture_server.ports["relay"], client_tls, login=(owner.username, secret)) as client:
        yield client


def test_mail_from_a_verified_domain_is_relayed_to_the_smarthost_and_counted_outbound(relay, smarthost, owner):
    raw = message_bytes(sender="news@send.test", to="reader@example.org", size=5_000)
    relay.sendmail("news@send.test", ["reader@example.org"], raw)
    assert smarthost.received == [("news@send.test", ["reader@example.org"], raw)]
    report = usage_report(account=owner)
    assert (report.month_totals.outbound_messages, report.month_totals.outbound_bytes) == (1, 5_000)
    assert report.month_totals.inbound_messages == 0
    [domain] = report.history[0].domains
    assert (domain.name, domain.totals.outbound_messages, domain.totals.outbound_bytes) == ("send.test", 1, 5_000)


@pytest.mark.parametrize("sender", ["news@elsewhere.test", "news@unproven.test"])
def test_a_sender_outside_the_accounts_verified_domains_is_refused_with_550(relay, smarthost, owner, sender):
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:
        relay.sendmail(sender, ["reader@example.org"], message_bytes(sender=sender))
    assert refused.value.smtp_code == 550
    assert smarthost.received == []
    assert usage_report(account=owner).month_totals.operations == 0


def test_a_recipient_the_smarthost_refuses_is_refused_and_not_counted(relay, smarthost, owner):
    smarthost.refuse_rcpt = {"nobody@example.org"}
    with pytest.raises(smtplib.SMTPDataError) as refused:
        relay.sendmail("news@send.test", ["nobody@example.org"], message_bytes(sender="news@send.test"))
    assert refused.value.smtp_code == 554
    assert b"550" in refused.value.smtp_error
    assert usage_report(account=owner).month_totals.operations == 0


def test_the_relay_needs_auth(capture_server, client_tls, smarthost):
    with (
        smtp_session(capture_server.ports["relay"], client_tls) as client,
        pytest.raises(smtplib.SMTPSenderRefused) as refused,
    ):
        client.sendmail("news@send.test", ["reader@example.org"], message_bytes())
    assert refused.value.smtp_code == 530
    assert smarthost.received == []


def test_an_unreachable_smarthost_is_a_temporary_failure(relay, settings, owner):
    settings.SMTP_SMARTHOST = "127.0.0.1:9"
    with pytest.raises(smtplib.SMTPDataError) as refused:
        relay.sendmail("news@send.test", ["reader@example.org"], message_bytes(sender="news@send.test"))
    assert refused.value.smtp_code == 451
    assert usage_report(account=owner).month_totals.operations == 0
