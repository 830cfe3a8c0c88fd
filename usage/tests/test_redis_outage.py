import logging
import threading

import pytest
from django.db import connection
from django.db.models import Sum

from usage import counters
from usage.models import Service, UsageBucket
from usage.reports import usage_report
from usage.services import api_call_record, record

from .conftest import FakeKey

KEY = FakeKey(pk=3, name="ci")


def counted(account) -> int:
    return UsageBucket.objects.filter(account=account).aggregate(n=Sum("count"))["n"] or 0


@pytest.mark.django_db
def test_with_redis_down_the_call_succeeds_the_event_goes_to_the_database_and_the_error_is_logged(
    private_redis, owner, caplog
):
    private_redis.kill()
    with caplog.at_level(logging.ERROR, logger="usage.services"):
        state = api_call_record(account=owner, key=KEY)
    assert (state.used, state.blocked) == (1, False)
    assert counted(owner) == 1
    assert "Redis unreachable" in caplog.text


@pytest.mark.django_db
def test_a_redis_server_killed_and_restarted_loses_no_count(private_redis, owner, flush_settled):
    for _ in range(20):
        api_call_record(account=owner, key=KEY)
    private_redis.kill()
    for _ in range(15):
        api_call_record(account=owner, key=KEY)
    record(account=owner, service=Service.CAPTURE, direction="in", size=10)
    private_redis.start()
    for _ in range(9):
        state = api_call_record(account=owner, key=KEY)
    # The month total in Redis caught up with the events written to the database meanwhile.
    assert state.used == 45
    flush_settled()
    assert counted(owner) == 45
    assert usage_report(account=owner).quota.used == 45


@pytest.mark.django_db(transaction=True)
def test_a_redis_server_killed_in_the_middle_of_concurrent_calls_loses_no_count(
    postgresql_only, private_redis, team_owner, flush_settled
):
    threads_count, calls_each = 6, 60
    halfway = threading.Barrier(threads_count + 1, timeout=120)  # a safety net, not a timing
    killed = threading.Event()
    errors = []

    def call_many():
        try:
            for index in range(calls_each):
                if index == calls_each // 3:
                    halfway.wait()
                    killed.wait(timeout=120)
                api_call_record(account=team_owner, key=KEY)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=call_many) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    halfway.wait()
    private_redis.kill()
    killed.set()
    for thread in threads:
        thread.join()
    private_redis.start()
    assert errors == []
    flush_settled()
    assert counted(team_owner) == threads_count * calls_each


@pytest.mark.django_db
def test_a_lost_reply_is_counted_once_whether_or_not_redis_ran_the_script(
    metering_redis, owner, flush_settled, monkeypatch
):
    real_count = counters.count
    calls = {"n": 0}

    def lose_some_replies(client, event, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            real_count(client, event, **kwargs)  # ran in Redis, reply lost
            raise counters.redis.ConnectionError("reply lost")
        if calls["n"] == 3:
            raise counters.redis.ConnectionError("request lost")  # never ran
        return real_count(client, event, **kwargs)

    monkeypatch.setattr(counters, "count", lose_some_replies)
    for _ in range(5):
        api_call_record(account=owner, key=KEY)
    assert UsageBucket.objects.filter(doubt__isnull=False).count() == 2
    assert usage_report(account=owner).quota.used == 5
    flush_settled()
    assert counted(owner) == 5
    assert UsageBucket.objects.filter(doubt__isnull=False).count() == 0


@pytest.mark.django_db
def test_purging_an_account_removes_every_redis_key_it_wrote(metering_redis, owner, team_owner):
    from usage import redis_keys
    from usage.purge import usage_purge_account

    for account in (owner, team_owner):
        api_call_record(account=account, key=KEY)
        record(account=account, service=Service.CAPTURE, direction="in", size=5)
    usage_purge_account(owner.pk)
    usage_purge_account(owner.pk)  # again: nothing left, nothing fails
    for pattern in redis_keys.account_keys(owner.pk):
        assert list(metering_redis.scan_iter(match=pattern)) == []
    assert metering_redis.zcard(redis_keys.BUCKETS) == 1
    assert list(metering_redis.scan_iter(match=f"usage:b:{team_owner.pk}:*"))
