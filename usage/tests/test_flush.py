import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from usage import counters, redis_keys
from usage.models import RollupMonth, Service, UsageBucket
from usage.reports import usage_report
from usage.services import api_call_record, record, usage_flush

from .conftest import FakeKey

KEY = FakeKey(pk=5, name="ci")


def counted(account) -> int:
    return UsageBucket.objects.filter(account=account).aggregate(n=Sum("count"))["n"] or 0


@pytest.mark.django_db
def test_a_flush_run_twice_counts_every_event_once(metering_redis, owner, flush_settled):
    for _ in range(7):
        api_call_record(account=owner, key=KEY)
    assert flush_settled() == 1
    assert flush_settled() == 0
    assert counted(owner) == 7
    assert metering_redis.zcard(redis_keys.BUCKETS) == 0


@pytest.mark.django_db
def test_a_flush_interrupted_after_the_commit_counts_every_event_once(
    metering_redis, owner, flush_settled, monkeypatch
):
    for _ in range(7):
        api_call_record(account=owner, key=KEY)

    def crash(client, keys):
        raise RuntimeError("worker killed between the commit and the Redis delete")

    with monkeypatch.context() as patch:
        patch.setattr(counters, "release", crash)
        with pytest.raises(RuntimeError):
            flush_settled()
    assert counted(owner) == 7
    # The page, reading Redis and the database, does not count the bucket twice meanwhile.
    assert usage_report(account=owner).quota.used == 7
    assert flush_settled() == 1
    assert counted(owner) == 7
    assert metering_redis.zcard(redis_keys.BUCKETS) == 0


@pytest.mark.django_db
def test_a_bucket_is_not_flushed_before_its_hour_has_settled(metering_redis, owner):
    api_call_record(account=owner, key=KEY)
    assert usage_flush() == 0
    assert counted(owner) == 0


@pytest.mark.django_db
def test_an_event_for_a_bucket_already_flushed_goes_to_the_database(metering_redis, owner, flush_settled):
    now = timezone.now()
    record(account=owner, service=Service.API, key=KEY, at=now)
    flush_settled(now)
    record(account=owner, service=Service.API, key=KEY, at=now)
    assert counted(owner) == 2
    assert flush_settled(now) == 0
    assert counted(owner) == 2


@pytest.mark.django_db
def test_a_late_flush_reopens_a_month_already_rolled_up(metering_redis, owner):
    last_hour = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    with time_machine.travel(last_hour, tick=False):
        api_call_record(account=owner, key=KEY)
    RollupMonth.objects.create(month=date(2026, 3, 1), closed=True)
    usage_flush(now=last_hour + timedelta(hours=3))
    state = RollupMonth.objects.get(month=date(2026, 3, 1))
    assert (state.closed, state.version) == (False, 1)
    assert counted(owner) == 1


@pytest.mark.django_db
def test_a_backdated_event_goes_straight_to_the_database(metering_redis, owner):
    record(account=owner, service=Service.API, key=KEY, count=4, at=timezone.now() - timedelta(days=3))
    assert counted(owner) == 4
    assert metering_redis.zcard(redis_keys.BUCKETS) == 0


@pytest.mark.django_db
def test_a_flush_skips_buckets_of_a_deleted_account(metering_redis, make_account, flush_settled):
    gone = make_account("gone", plan="indie")
    api_call_record(account=gone, key=KEY)
    gone.delete()
    assert flush_settled() == 1
    assert UsageBucket.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_api_calls_are_counted_exactly(postgresql_only, metering_redis, team_owner, flush_settled):
    threads_count, calls_each = 8, 40
    errors = []

    def call_many():
        try:
            for _ in range(calls_each):
                api_call_record(account=team_owner, key=KEY)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=call_many) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert usage_report(account=team_owner).quota.used == threads_count * calls_each
    flush_settled()
    assert counted(team_owner) == threads_count * calls_each
