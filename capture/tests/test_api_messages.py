"""GET /api/messages and GET /api/messages/{id}: the key's account's messages only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from capture.models import Message
from capture.services import Incoming, message_capture

from .conftest import message_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def keyed(owner, make_key):
    key, secret = make_key(owner)
    return key, {"HTTP_MAILSAC_KEY": secret}


def capture(key, *, subject="Hi", to="dev@example.org", received=None):
    incoming = Incoming(
        mail_from="app@example.net",
        rcpt_tos=[to],
        raw=message_bytes(to=to, subject=subject, body="Text with https://example.com/a link.\r\n"),
        peer="127.0.0.1",
        tls=True,
        received=received or timezone.now(),
    )
    return message_capture(key_id=key.pk, incoming=incoming)


def test_messages_are_listed_newest_first_in_mailsacs_shape(client, keyed):
    key, headers = keyed
    now = timezone.now()
    older = capture(key, subject="older", received=now - timedelta(minutes=5))
    newer = capture(key, subject="newer", received=now)
    response = client.get("/api/messages", **headers)
    assert response.status_code == 200
    body = response.json()
    assert [item["_id"] for item in body] == [newer.public_id, older.public_id]
    first = body[0]
    assert first["subject"] == "newer"
    assert first["from"] == [{"name": "App", "address": "app@example.net"}]
    assert first["to"] == [{"name": "", "address": "dev@example.org"}]
    assert (first["inbox"], first["domain"], first["kind"], first["rtls"]) == (
        "dev@example.org",
        "example.org",
        "captured",
        True,
    )
    assert first["size"] == newer.size
    assert "text" not in first


def test_messages_are_paged_with_limit_and_skip_or_until(client, keyed):
    key, headers = keyed
    now = timezone.now()
    made = [capture(key, subject=f"m{n}", received=now - timedelta(minutes=n)) for n in range(5)]
    page = client.get("/api/messages?limit=2&skip=2", **headers).json()
    assert [item["subject"] for item in page] == ["m2", "m3"]
    until = made[1].received.isoformat()
    page = client.get("/api/messages", {"limit": 2, "until": until}, **headers).json()
    assert [item["subject"] for item in page] == ["m2", "m3"]


def test_a_limit_out_of_range_answers_422_with_the_error_body(client, keyed):
    _key, headers = keyed
    response = client.get("/api/messages?limit=5000", **headers)
    assert response.status_code == 422
    assert set(response.json()) == {"message", "error", "validationErrors"}


def test_one_message_comes_with_headers_bodies_and_links(client, keyed):
    key, headers = keyed
    message = capture(key, subject="Detail")
    response = client.get(f"/api/messages/{message.public_id}", **headers)
    assert response.status_code == 200
    body = response.json()
    assert body["_id"] == message.public_id
    assert body["headers"]["subject"] == ["Detail"]
    assert body["text"].startswith("Text with")
    assert body["links"] == ["https://example.com/a"]
    assert body["attachments"] == []
    assert "raw" not in body


def test_another_accounts_message_is_404_with_the_error_body(client, keyed, stranger, make_key):
    strangers_key, _secret = make_key(stranger)
    theirs = capture(strangers_key, subject="private")
    _key, headers = keyed
    response = client.get(f"/api/messages/{theirs.public_id}", **headers)
    assert response.status_code == 404
    assert response.json()["error"] == "Not Found"
    assert client.get("/api/messages", **headers).json() == []


def test_an_unknown_message_is_404(client, keyed):
    _key, headers = keyed
    assert client.get("/api/messages/nope", **headers).status_code == 404


def test_messages_need_a_key(client):
    response = client.get("/api/messages")
    assert response.status_code == 401
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    "until", ["3517-08-29T00:50:37+17:27", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+05:00"]
)
def test_until_at_the_edges_of_time_answers_with_the_error_body_or_a_page(client, keyed, until):
    _key, headers = keyed
    response = client.get("/api/messages", {"until": until}, **headers)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert set(response.json()) == {"message", "error", "validationErrors"}


def test_api_me_stats_counts_the_stored_messages_and_their_bytes_of_this_account_only(
    client, keyed, stranger, make_key
):
    key, headers = keyed
    first, second = capture(key, subject="one"), capture(key, subject="two")
    capture(make_key(stranger)[0], subject="theirs")
    body = client.get("/api/me/stats", **headers).json()
    assert body["storedMessages"] == 2
    assert body["inboxBytes"] == first.size + second.size > 0
