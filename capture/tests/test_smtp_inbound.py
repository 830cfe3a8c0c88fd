"""The inbound listener: mail for verified custom domains without AUTH; 550 for any other domain."""

import smtplib

import pytest

from capture.models import Message
from usage.reports import usage_report

from .conftest import message_bytes, smtp_session

pytestmark = pytest.mark.django_db(transaction=True)


def inbound(server, context):
    return smtp_session(server.ports["inbound"], context)


def test_mail_for_a_verified_custom_domain_is_taken_without_auth_and_counted_inbound(
    capture_server, client_tls, owner, make_domain
):
    make_domain(owner, "inbox.test")
    raw = message_bytes(to="support@inbox.test", size=3_000)
    with inbound(capture_server, client_tls) as client:
        client.sendmail("customer@example.net", ["support@inbox.test"], raw)
    message = Message.objects.get()
    assert (message.account, message.kind, message.key) == (owner, Message.Kind.INBOUND, None)
    assert (message.domain.name, message.rcpt_to, message.size) == ("inbox.test", ["support@inbox.test"], 3_000)
    report = usage_report(account=owner)
    assert (report.month_totals.inbound_messages, report.month_totals.inbound_bytes) == (1, 3_000)
    [domain] = report.history[0].domains
    assert (domain.name, domain.totals.inbound_messages, domain.totals.inbound_bytes) == ("inbox.test", 1, 3_000)


def test_mail_for_an_unknown_domain_is_refused_with_550(capture_server, client_tls):
    with inbound(capture_server, client_tls) as client, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        client.sendmail("customer@example.net", ["someone@nowhere.test"], message_bytes())
    [(code, _text)] = refused.value.recipients.values()
    assert code == 550
    assert Message.objects.count() == 0


def test_mail_for_a_domain_not_yet_verified_is_refused_with_550(capture_server, client_tls, owner, make_domain):
    make_domain(owner, "pending.test", verified=False)
    with inbound(capture_server, client_tls) as client, pytest.raises(smtplib.SMTPRecipientsRefused):
        client.sendmail("customer@example.net", ["someone@pending.test"], message_bytes())
    assert Message.objects.count() == 0


def test_known_recipients_get_the_message_when_others_are_refused(capture_server, client_tls, owner, make_domain):
    make_domain(owner, "inbox.test")
    with inbound(capture_server, client_tls) as client:
        refused = client.sendmail("c@example.net", ["a@inbox.test", "b@nowhere.test"], message_bytes())
    assert list(refused) == ["b@nowhere.test"]
    assert Message.objects.get().rcpt_to == ["a@inbox.test"]


def test_one_transaction_for_two_accounts_stores_one_message_for_each(
    capture_server, client_tls, owner, stranger, make_domain
):
    make_domain(owner, "inbox.test")
    make_domain(stranger, "other.test")
    with inbound(capture_server, client_tls) as client:
        client.sendmail("c@example.net", ["a@inbox.test", "b@other.test", "c@inbox.test"], message_bytes())
    assert sorted((m.account.username, tuple(m.rcpt_to)) for m in Message.objects.all()) == [
        ("owner", ("a@inbox.test", "c@inbox.test")),
        ("stranger", ("b@other.test",)),
    ]
    assert usage_report(account=owner).month_totals.inbound_messages == 1
    assert usage_report(account=stranger).month_totals.inbound_messages == 1


def test_the_inbound_listener_offers_no_auth(capture_server, client_tls):
    with inbound(capture_server, client_tls) as client:
        assert not client.has_extn("auth")


def test_domain_names_are_matched_whatever_their_case(capture_server, client_tls, owner, make_domain):
    make_domain(owner, "inbox.test")
    with inbound(capture_server, client_tls) as client:
        client.sendmail("c@example.net", ["Support@INBOX.Test"], message_bytes())
    assert Message.objects.get().domain.name == "inbox.test"
