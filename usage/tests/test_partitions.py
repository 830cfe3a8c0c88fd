"""On PostgreSQL the bucket rows are partitioned by month (usage/partitions.py)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection

from usage.models import MonthlyUsage, Service, UsageBucket
from usage.partitions import DEFAULT_PARTITION, ensure_month_partitions, months_to_prepare, partition_name
from usage.services import record, usage_rollup

from .conftest import FakeKey

pytestmark = pytest.mark.django_db

KEY = FakeKey(pk=11, name="ci")
# Far beyond the months the migration made partitions for.
FAR = datetime(2031, 5, 14, 8, tzinfo=UTC)


def rows_in(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        return cursor.fetchone()[0]


def test_a_months_rows_live_in_that_months_partition(postgresql_only, metering_database, owner):
    now = datetime.now(UTC)
    record(account=owner, service=Service.API, key=KEY, count=3, at=now)
    record(account=owner, service=Service.API, key=KEY, count=2, at=now - timedelta(days=62))
    assert rows_in(partition_name(date(now.year, now.month, 1))) == 1
    assert rows_in(DEFAULT_PARTITION) == 0
    assert UsageBucket.objects.count() == 2


def test_a_new_months_partition_takes_in_its_rows_from_the_default_one_and_runs_twice_the_same(
    postgresql_only, metering_database, owner
):
    record(account=owner, service=Service.API, key=KEY, count=7, at=FAR)
    record(account=owner, service=Service.API, key=KEY, count=1, at=FAR + timedelta(days=40))
    assert rows_in(DEFAULT_PARTITION) == 2

    assert ensure_month_partitions([date(2031, 5, 1)]) == [date(2031, 5, 1)]
    assert ensure_month_partitions([date(2031, 5, 1)]) == []
    assert rows_in(partition_name(date(2031, 5, 1))) == 1
    assert rows_in(DEFAULT_PARTITION) == 1
    assert sorted(UsageBucket.objects.values_list("count", flat=True)) == [1, 7]
    # New rows of that month go to its partition, and the rollup finds them there.
    record(account=owner, service=Service.API, key=KEY, count=5, at=FAR + timedelta(hours=3))
    assert rows_in(partition_name(date(2031, 5, 1))) == 2
    usage_rollup(now=FAR + timedelta(days=60), months=[date(2031, 5, 1), date(2031, 6, 1)])
    may, june = (MonthlyUsage.objects.get(account=owner, month=date(2031, m, 1)).operations for m in (5, 6))
    assert (may, june) == (12, 1)


def test_the_rollup_makes_the_coming_months_partitions_ahead_of_their_rows(postgresql_only, metering_database):
    usage_rollup(now=FAR, months=[])
    for month in months_to_prepare(FAR):
        assert rows_in(partition_name(month)) == 0
    assert months_to_prepare(FAR) == [
        date(2031, 4, 1),
        date(2031, 5, 1),
        date(2031, 6, 1),
        date(2031, 7, 1),
        date(2031, 8, 1),
    ]


def test_the_rollup_of_a_month_reads_that_months_partition_alone(postgresql_only):
    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT account_id, SUM(count) FROM usage_usagebucket"
            " WHERE bucket_start >= %s AND bucket_start < %s GROUP BY account_id",
            [start, end],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert partition_name(date(2026, 11, 1)) in plan
    assert partition_name(date(2026, 10, 1)) not in plan
    assert DEFAULT_PARTITION not in plan
