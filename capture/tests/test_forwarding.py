"""Forwards to a real HTTP server and a real WebSocket client on loopback, each counted once."""

import json

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from capture.models import Delivery, ForwardingRule, Message
from capture.services import forwarding_rule_create
from capture.tasks import forward_deliver
from usage.reports import usage_report

from .conftest import message_bytes, smtp_session

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mail_domain(owner, make_domain):
    return make_domain(owner, "hooks.test")


@pytest.fixture
def secret(owner, make_key):
    """The owner's API key (an individual plan holds one)."""
    return make_key(owner)[1]


@pytest.fixture
def send(capture_server, client_tls, owner, secret):
    """Send one message through the capture listener, with the owner's key."""

    def send_one(to: str, subject="Order shipped", size=0):
        raw = message_bytes(sender="shop@example.net", to=to, subject=subject, size=size)
        with smtp_session(capture_server.ports["capture"], client_tls, login=(owner.username, secret)) as client:
            client.sendmail("shop@example.net", [to], raw)
        return raw

    return send_one


def operations(account, service: str) -> int:
    report = usage_report(account=account)
    return next(named.totals.operations for named in report.by_service if named.code == service)


def test_a_webhook_rule_posts_the_message_as_json_and_counts_one_webhook_operation(send, http_sink, mail_domain, owner):
    forwarding_rule_create(domain=mail_domain, local_part="", kind="webhook", url=f"{http_sink.url}/mail?x=1")
    raw = send("orders@hooks.test", subject="Order 1001 shipped")
    [post] = http_sink.posts
    assert post["path"] == "/mail?x=1"
    assert post["headers"]["Content-Type"] == "application/json"
    email = post["json"]
    message = Message.objects.get()
    assert email["_id"] == message.public_id
    assert email["subject"] == "Order 1001 shipped"
    assert email["to"] == [{"name": "", "address": "orders@hooks.test"}]
    assert email["from"] == [{"name": "App", "address": "shop@example.net"}]
    assert email["raw"] == raw.decode()
    assert email["text"].startswith("Hi there.")
    assert email["headers"]["subject"] == ["Order 1001 shipped"]
    assert Delivery.objects.get().status == Delivery.Status.DELIVERED
    assert operations(owner, "webhook") == 1
    assert operations(owner, "capture") == 1
    # A forward is an operation, not another message in the statistics.
    assert usage_report(account=owner).month_totals.inbound_messages == 1


def test_a_slack_rule_posts_a_short_text(send, http_sink, mail_domain, owner):
    forwarding_rule_create(domain=mail_domain, local_part="alerts", kind="slack", url=f"{http_sink.url}/services/T0/B0")
    send("alerts@hooks.test", subject="Disk <full> & hot")
    [post] = http_sink.posts
    assert post["path"] == "/services/T0/B0"
    text = post["json"]["text"]
    assert set(post["json"]) == {"text"}
    assert "*Disk &lt;full&gt; &amp; hot*" in text
    assert "To alerts@hooks.test from App <shop@example.net>".replace("<", "&lt;").replace(">", "&gt;") in text
    assert operations(owner, "slack") == 1


def test_an_address_rule_forwards_only_that_address(send, http_sink, mail_domain, owner):
    forwarding_rule_create(domain=mail_domain, local_part="alerts", kind="webhook", url=http_sink.url)
    send("billing@hooks.test")
    send("ALERTS@hooks.test")
    assert [post["json"]["inbox"] for post in http_sink.posts] == ["ALERTS@hooks.test"]
    assert operations(owner, "webhook") == 1


def test_a_webhook_failing_once_is_retried_and_counted_once(send, http_sink, mail_domain, owner):
    forwarding_rule_create(domain=mail_domain, local_part="", kind="webhook", url=http_sink.url)
    http_sink.statuses = [503]
    send("retry@hooks.test")
    assert [post["status"] for post in http_sink.posts] == [503, 200]
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (Delivery.Status.DELIVERED, 2, "")
    assert operations(owner, "webhook") == 1
    # Running the task again (a redelivered Celery message) sends and counts nothing more.
    forward_deliver.apply(args=[delivery.pk])
    assert len(http_sink.posts) == 2
    assert operations(owner, "webhook") == 1


def test_a_webhook_refusing_the_post_fails_without_retries_or_count(send, http_sink, mail_domain, owner):
    forwarding_rule_create(domain=mail_domain, local_part="", kind="webhook", url=http_sink.url)
    http_sink.statuses = [404]
    send("gone@hooks.test")
    assert len(http_sink.posts) == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, 1)
    assert "HTTP 404" in delivery.last_error
    assert operations(owner, "webhook") == 0


def test_a_webhook_failing_every_time_gives_up_after_the_retries(send, http_sink, mail_domain, owner, settings):
    settings.FORWARD_MAX_RETRIES = 2
    forwarding_rule_create(domain=mail_domain, local_part="", kind="webhook", url=http_sink.url)
    http_sink.statuses = [500, 500, 500, 500]
    send("down@hooks.test")
    assert len(http_sink.posts) == 3
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, 3)
    assert delivery.last_error.startswith("Gave up after 3 attempts")
    assert operations(owner, "webhook") == 0


def test_two_rules_to_the_same_url_forward_once(send, http_sink, mail_domain, owner):
    forwarding_rule_create(domain=mail_domain, local_part="", kind="webhook", url=http_sink.url)
    forwarding_rule_create(domain=mail_domain, local_part="ops", kind="webhook", url=http_sink.url)
    send("ops@hooks.test")
    assert len(http_sink.posts) == 1
    assert operations(owner, "webhook") == 1


def test_a_loopback_url_is_refused_at_delivery_unless_allowed(send, http_sink, mail_domain, owner, settings):
    forwarding_rule_create(domain=mail_domain, local_part="", kind="webhook", url=http_sink.url)
    settings.FORWARD_ALLOW_PRIVATE_URLS = False
    send("ssrf@hooks.test")
    assert http_sink.posts == []
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert "private, loopback or reserved" in delivery.last_error
    assert operations(owner, "webhook") == 0


def test_a_websocket_subscriber_receives_a_forwarded_message(send, capture_server, mail_domain, owner, secret):
    forwarding_rule_create(domain=mail_domain, local_part="", kind=ForwardingRule.Kind.WEBSOCKET)
    url = f"ws://127.0.0.1:{capture_server.ports['websocket']}/incoming-messages?key={secret}&addresses=hooks.test"
    with connect(url, open_timeout=10) as socket:
        hello = json.loads(socket.recv(timeout=10))
        assert hello == {"status": 200, "msg": "Listening", "addresses": [], "domains": ["hooks.test"]}
        send("live@hooks.test", subject="Live one")
        frame = json.loads(socket.recv(timeout=10))
    assert frame["status"] == 200
    assert frame["email"]["subject"] == "Live one"
    assert frame["email"]["to"] == [{"name": "", "address": "live@hooks.test"}]
    assert frame["email"]["_id"] == Message.objects.get().public_id
    assert Delivery.objects.get().status == Delivery.Status.DELIVERED
    assert operations(owner, "websocket") == 1


def test_a_websocket_subscriber_hears_only_the_addresses_it_asked_for(send, capture_server, mail_domain, secret):
    forwarding_rule_create(domain=mail_domain, local_part="", kind=ForwardingRule.Kind.WEBSOCKET)
    port = capture_server.ports["websocket"]
    with connect(f"ws://127.0.0.1:{port}/incoming-messages?key={secret}&addresses=Second@hooks.test") as socket:
        assert json.loads(socket.recv(timeout=10))["addresses"] == ["second@hooks.test"]
        send("first@hooks.test", subject="first")
        send("second@hooks.test", subject="second")
        assert json.loads(socket.recv(timeout=10))["email"]["subject"] == "second"


def test_a_websocket_without_a_valid_key_is_refused_with_401(capture_server):
    port = capture_server.ports["websocket"]
    with connect(f"ws://127.0.0.1:{port}/incoming-messages?key=k_nope") as socket:
        assert json.loads(socket.recv(timeout=10))["status"] == 401
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=10)
    assert closed.value.rcvd.code == 4401


def test_a_websocket_may_not_listen_to_another_accounts_domain(capture_server, stranger, secret, make_domain):
    make_domain(stranger, "strangers.test")
    port = capture_server.ports["websocket"]
    with connect(f"ws://127.0.0.1:{port}/incoming-messages?key={secret}&addresses=strangers.test") as socket:
        frame = json.loads(socket.recv(timeout=10))
    assert frame["status"] == 403
    assert "strangers.test" in frame["msg"]


def test_a_pending_forward_whose_rule_was_removed_stops(send, http_sink, mail_domain, owner, settings):
    rule = forwarding_rule_create(domain=mail_domain, local_part="", kind="webhook", url=http_sink.url)
    http_sink.statuses = [503] * 20
    settings.FORWARD_MAX_RETRIES = 0
    send("later@hooks.test")
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.PENDING)
    rule.delete()
    forward_deliver.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == (Delivery.Status.FAILED, "The forwarding rule was removed.")
    assert len(http_sink.posts) == 1


def test_a_websocket_listener_is_let_go_once_its_key_is_deleted(send, capture_server, mail_domain, owner, make_key):
    from accounts.models import Plan

    type(owner).objects.filter(pk=owner.pk).update(plan=Plan.BUSINESS)
    forwarding_rule_create(domain=mail_domain, local_part="", kind=ForwardingRule.Kind.WEBSOCKET)
    listener, listener_secret = make_key(owner, name="listener")
    port = capture_server.ports["websocket"]
    with connect(f"ws://127.0.0.1:{port}/incoming-messages?key={listener_secret}") as socket:
        assert json.loads(socket.recv(timeout=10))["status"] == 200
        listener.delete()
        send("after@hooks.test")
        assert json.loads(socket.recv(timeout=10))["status"] == 401
        with pytest.raises(ConnectionClosed):
            socket.recv(timeout=10)
