"""The capture listener, driven with smtplib over real STARTTLS on loopback."""

import smtplib

import pytest

from capture.models import Message
from usage.reports import usage_report

from .conftest import message_bytes, smtp_session

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sender(owner, make_key, make_domain):
    """The owner's key and a verified custom domain."""
    make_domain(owner, "owner-mail.test")
    key, secret = make_key(owner)
    return owner, key, secret


def capture_port(server):
    return server.ports["capture"]


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_a_message_sent_with_an_api_key_is_stored_for_its_account(capture_server, client_tls, sender, mechanism):
    owner, key, secret = sender
    raw = message_bytes(to="dev@elsewhere.test", subject="Welcome aboard")
    with smtp_session(
        capture_port(capture_server), client_tls, login=(owner.username, secret), mechanism=mechanism
    ) as c:
        c.sendmail("app@example.net", ["dev@elsewhere.test", "qa@elsewhere.test"], raw)
    message = Message.objects.get()
    assert message.account == owner
    assert message.key == key
    assert message.kind == Message.Kind.CAPTURED
    assert message.mail_from == "app@example.net"
    assert message.rcpt_to == ["dev@elsewhere.test", "qa@elsewhere.test"]
    assert message.subject == "Welcome aboard"
    assert ["To", "dev@elsewhere.test"] in message.headers
    assert bytes(message.raw) == raw
    assert message.size == len(raw)
    assert message.tls is True
    assert message.domain is None


def test_a_captured_message_counts_one_capture_operation_for_its_key_and_inbound_statistics(
    capture_server, client_tls, sender
):
    owner, key, secret = sender
    raw = message_bytes(to="team@owner-mail.test", size=2_000)
    with smtp_session(capture_port(capture_server), client_tls, login=(owner.username, secret)) as client:
        client.sendmail("app@example.net", ["team@owner-mail.test"], raw)
    report = usage_report(account=owner)
    assert [(named.name, named.totals.operations) for named in report.by_key] == [(key.name, 1)]
    capture = next(named for named in report.by_service if named.code == "capture")
    assert capture.totals.operations == 1
    assert (report.month_totals.inbound_messages, report.month_totals.inbound_bytes) == (1, 2_000)
    assert report.month_totals.outbound_messages == 0
    [domain] = report.history[0].domains
    assert (domain.name, domain.totals.inbound_messages, domain.totals.inbound_bytes) == ("owner-mail.test", 1, 2_000)
    assert Message.objects.get().domain.name == "owner-mail.test"


def test_the_account_id_is_matched_whatever_its_case(capture_server, client_tls, sender):
    owner, _key, secret = sender
    with smtp_session(capture_port(capture_server), client_tls, login=(owner.username.upper(), secret)) as client:
        client.sendmail("app@example.net", ["a@b.test"], message_bytes())
    assert Message.objects.count() == 1


def test_a_wrong_api_key_is_refused_with_535(capture_server, client_tls, sender):
    owner, _key, secret = sender
    wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
        smtp_session(capture_port(capture_server), client_tls, login=(owner.username, wrong))
    assert refused.value.smtp_code == 535


def test_a_key_of_another_account_is_refused_with_535(capture_server, client_tls, sender, stranger, make_key):
    _strangers_key, strangers_secret = make_key(stranger)
    owner = sender[0]
    with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
        smtp_session(capture_port(capture_server), client_tls, login=(owner.username, strangers_secret))
    assert refused.value.smtp_code == 535


def test_mail_without_auth_is_refused_with_530(capture_server, client_tls):
    with (
        smtp_session(capture_port(capture_server), client_tls) as client,
        pytest.raises(smtplib.SMTPSenderRefused) as refused,
    ):
        client.sendmail("app@example.net", ["a@b.test"], message_bytes())
    assert refused.value.smtp_code == 530
    assert Message.objects.count() == 0


def test_auth_is_neither_offered_nor_accepted_before_starttls(capture_server, sender):
    _owner, _key, _secret = sender
    with smtplib.SMTP("127.0.0.1", capture_port(capture_server), timeout=15) as client:
        client.ehlo()
        assert client.has_extn("starttls")
        assert not client.has_extn("auth")
        code, _reply = client.docmd("AUTH", "PLAIN AGZvbwBiYXI=")
    assert code == 538


def test_repeated_failed_logins_are_throttled_even_with_the_right_key(capture_server, client_tls, sender, settings):
    settings.SMTP_AUTH_RATE_LIMIT = "10/m/ip,3/300s/key"
    owner, _key, secret = sender
    port = capture_port(capture_server)
    for _ in range(3):
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            smtp_session(port, client_tls, login=(owner.username, "k_wrong"))
        assert refused.value.smtp_code == 535
    with pytest.raises(smtplib.SMTPAuthenticationError) as throttled:
        smtp_session(port, client_tls, login=(owner.username, secret))
    assert throttled.value.smtp_code == 454


def test_a_message_over_the_size_limit_is_refused_with_552_and_not_counted(
    capture_server, client_tls, sender, settings
):
    settings.SMTP_MAX_MESSAGE_BYTES = 4_000
    owner, _key, secret = sender
    with smtp_session(capture_port(capture_server), client_tls, login=(owner.username, secret)) as client:
        with pytest.raises(smtplib.SMTPSenderRefused) as announced:
            client.sendmail("app@example.net", ["a@b.test"], message_bytes(size=4_001))
        assert announced.value.smtp_code == 552
        # A client that does not announce the size is stopped by the DATA limit.
        client.mail("app@example.net")
        client.rcpt("a@b.test")
        code, _reply = client.data(message_bytes(size=4_500))
    assert code == 552
    assert Message.objects.count() == 0
    assert usage_report(account=owner).month_totals.operations == 0


def test_a_message_at_the_size_limit_is_taken_whole(capture_server, client_tls, sender, settings):
    settings.SMTP_MAX_MESSAGE_BYTES = 4_000
    owner, _key, secret = sender
    raw = message_bytes(size=4_000)
    with smtp_session(capture_port(capture_server), client_tls, login=(owner.username, secret)) as client:
        client.sendmail("app@example.net", ["a@b.test"], raw)
    assert bytes(Message.objects.get().raw) == raw


def test_a_key_deleted_during_a_session_stops_working_at_the_next_message(capture_server, client_tls, sender):
    owner, key, secret = sender
    with smtp_session(capture_port(capture_server), client_tls, login=(owner.username, secret)) as client:
        client.sendmail("app@example.net", ["a@b.test"], message_bytes())
        key.delete()
        with pytest.raises(smtplib.SMTPDataError) as refused:
            client.sendmail("app@example.net", ["a@b.test"], message_bytes())
    assert refused.value.smtp_code == 535
    assert Message.objects.count() == 1
