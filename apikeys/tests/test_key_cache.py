"""The REST API's key check from process memory, vouched for by Redis on every call.

A process that has cached a key stands for every other process: the tests put a
copy of its memory back after a change (what another gunicorn worker would still
hold) and check that the very next call sees the change.
"""

import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.services import account_change_plan
from apikeys import key_cache, keys
from apikeys.services import api_key_create
from conftest import free_port
from usage import counters
from usage.models import UsageBucket
from usage.services import usage_flush

ERROR_FIELDS = {"message", "error", "validationErrors"}


@pytest.fixture
def key_and_secret(metering_redis, team_owner):
    return api_key_create(account=team_owner, name="ci")


def call_me(client, secret):
    return client.get("/api/me", headers={"Mailsac-Key": secret})


def another_process_memory():
    """What a worker that served the key before the change still has in memory."""
    return dict(key_cache._rows)


def counted_after_flush(key) -> int:
    usage_flush(now=timezone.now() + timedelta(hours=2))  # as if the hour had settled
    return UsageBucket.objects.filter(key_id=key.pk).aggregate(n=Sum("count"))["n"]


@pytest.fixture
def unreachable_redis():
    """A Redis URL on a loopback port that nothing listens on."""
    return f"redis://127.0.0.1:{free_port()}/0"


def assert_unauthorized(response):
    assert response.status_code == 401
    assert set(response.json()) == ERROR_FIELDS


@pytest.mark.django_db
def test_a_key_read_once_is_checked_on_the_next_call_without_a_database_query(
    client, key_and_secret, django_assert_num_queries
):
    _, secret = key_and_secret
    assert call_me(client, secret).status_code == 200
    with django_assert_num_queries(0):
        response = call_me(client, secret)
    assert response.status_code == 200
    assert response.json()["moAPICount"] == 2


@pytest.mark.django_db
def test_a_key_deleted_elsewhere_fails_on_the_next_call_of_a_process_that_cached_it(client, key_and_secret):
    key, secret = key_and_secret
    assert call_me(client, secret).status_code == 200
    memory = another_process_memory()
    key.delete()
    key_cache._rows.update(memory)
    assert_unauthorized(call_me(client, secret))


@pytest.mark.django_db
def test_an_account_deactivated_elsewhere_fails_on_the_next_call_of_a_process_that_cached_its_key(
    client, key_and_secret, team_owner
):
    _, secret = key_and_secret
    assert call_me(client, secret).status_code == 200
    memory = another_process_memory()
    team_owner.is_active = False
    team_owner.save()
    key_cache._rows.update(memory)
    assert_unauthorized(call_me(client, secret))


@pytest.mark.django_db
def test_a_plan_change_elsewhere_shows_on_the_next_call_of_a_process_that_cached_the_key(
    client, key_and_secret, team_owner
):
    _, secret = key_and_secret
    assert call_me(client, secret).json()["plan"] == "business"
    memory = another_process_memory()
    account_change_plan(account=team_owner, plan="enterprise")
    key_cache._rows.update(memory)
    assert call_me(client, secret).json()["plan"] == "enterprise"


@pytest.mark.django_db
def test_a_row_read_while_a_change_commits_is_not_trusted_after_the_commit(
    key_and_secret, metering_redis, django_capture_on_commit_callbacks
):
    key, secret = key_and_secret
    guard = key_cache.generation_key(key.lookup)
    with django_capture_on_commit_callbacks(execute=True):
        key.name = "renamed"
        key.save()
        assert metering_redis.get(guard) is None
        # Another process reads the row before the commit (the old row) and gives the key a token.
        assert key_cache.find(secret) is not None
        assert metering_redis.get(guard) is not None
    assert metering_redis.get(guard) is None


@pytest.mark.django_db
def test_a_well_formed_key_that_matches_nothing_writes_nothing_to_redis(client, key_and_secret, metering_redis):
    body = "a" * 32
    unknown = "k_" + body + keys.checksum(body)
    assert keys.is_well_formed(unknown)
    before = set(metering_redis.keys("keygen:*"))
    assert_unauthorized(call_me(client, unknown))
    assert set(metering_redis.keys("keygen:*")) == before
    assert keys.lookup_of(unknown) not in key_cache._rows


@pytest.mark.django_db
def test_a_key_without_a_token_gets_one_on_its_next_read_and_is_cached_on_the_read_after(
    client, key_and_secret, metering_redis, django_assert_num_queries
):
    key, secret = key_and_secret
    metering_redis.delete(key_cache.generation_key(key.lookup))  # e.g. expired after a quiet day
    assert call_me(client, secret).status_code == 200
    assert key.lookup not in key_cache._rows
    assert metering_redis.get(key_cache.generation_key(key.lookup)) is not None
    assert call_me(client, secret).status_code == 200
    with django_assert_num_queries(0):
        assert call_me(client, secret).status_code == 200


@pytest.mark.django_db
def test_a_wrong_secret_for_a_cached_identifier_answers_401_and_the_real_key_still_works(client, key_and_secret):
    _, secret = key_and_secret
    assert call_me(client, secret).status_code == 200
    body = secret[2:34]
    forged_body = body[:8] + ("a" if body[8] != "a" else "b") + body[9:]
    forged = "k_" + forged_body + keys.checksum(forged_body)
    assert keys.lookup_of(forged) in key_cache._rows
    assert_unauthorized(call_me(client, forged))
    assert call_me(client, secret).status_code == 200


@pytest.mark.django_db
def test_a_call_whose_cached_row_went_stale_is_counted_once(client, key_and_secret, metering_redis):
    key, secret = key_and_secret
    call_me(client, secret)
    metering_redis.delete(key_cache.generation_key(key.lookup))  # what any change does
    call_me(client, secret)
    body = call_me(client, secret).json()
    assert body["moAPICount"] == 3
    assert counted_after_flush(key) == 3


@pytest.mark.django_db
def test_a_lost_reply_of_a_cached_key_call_is_counted_once(client, key_and_secret, monkeypatch):
    key, secret = key_and_secret
    call_me(client, secret)
    real_count = counters.count

    def lose_the_reply(client, event, **kwargs):
        real_count(client, event, **kwargs)
        raise counters.redis.ConnectionError("reply lost")

    monkeypatch.setattr(counters, "count", lose_the_reply)
    assert call_me(client, secret).status_code == 200
    monkeypatch.setattr(counters, "count", real_count)
    assert call_me(client, secret).json()["moAPICount"] == 3
    assert counted_after_flush(key) == 3


@pytest.mark.django_db
def test_without_redis_nothing_is_cached_and_every_call_reads_the_database(client, team_owner, settings):
    settings.REDIS_URL = ""
    _, secret = api_key_create(account=team_owner, name="ci")
    assert call_me(client, secret).status_code == 200
    assert key_cache._rows == {}
    with CaptureQueriesContext(connection) as queries:
        assert call_me(client, secret).status_code == 200
    assert any('FROM "apikeys_apikey"' in query["sql"] for query in queries.captured_queries)


@pytest.mark.django_db
def test_with_redis_unreachable_a_cached_key_deleted_meanwhile_answers_401(
    client, key_and_secret, settings, caplog, unreachable_redis
):
    key, secret = key_and_secret
    assert call_me(client, secret).status_code == 200
    memory = another_process_memory()
    settings.REDIS_URL = unreachable_redis
    with caplog.at_level(logging.ERROR):
        key.delete()
    assert "stay valid" in caplog.text
    key_cache._rows.update(memory)
    assert_unauthorized(call_me(client, secret))


@pytest.mark.django_db
def test_with_redis_unreachable_a_valid_key_still_works(client, key_and_secret, settings, unreachable_redis):
    _, secret = key_and_secret
    assert call_me(client, secret).status_code == 200
    settings.REDIS_URL = unreachable_redis
    assert call_me(client, secret).status_code == 200
