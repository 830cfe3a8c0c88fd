"""On PostgreSQL the bucket rows live in one partition per UTC month.

The rollup of a month then reads that month's partition and nothing else, however much
history lies beside it. Rows of a month that has no partition yet land in the default
partition; creating the month's partition moves them in. SQLite (embedded mode) keeps
one plain table: nothing here applies to it.

Partitions are made by the migration for the months around it, and from then on ahead
of time by the nightly rollup (`ensure_month_partitions`).
"""

from collections.abc import Iterable
from datetime import date, datetime

from django.db import connection, transaction

from .months import month_of, month_start, months_back, months_between, next_month

TABLE = "usage_usagebucket"
DEFAULT_PARTITION = f"{TABLE}_default"
MONTHS_AHEAD = 3


def partition_name(month: date) -> str:
    return f"{TABLE}_{month:%Y%m}"


def grouping_statistics(table: str) -> str:
    """PostgreSQL judges a partition's GROUP BY by that partition's own statistics: each needs its own."""
    columns = "account_id, key_id, domain_id, service"
    return f"CREATE STATISTICS IF NOT EXISTS {table}_grouping (ndistinct) ON {columns} FROM {table}"


def bounds(month: date) -> tuple[str, str]:
    return month_start(month).isoformat(), month_start(next_month(month)).isoformat()


def is_partitioned(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [TABLE])
    return cursor.fetchone() is not None


def exists(cursor, table: str) -> bool:
    cursor.execute("SELECT to_regclass(%s)", [table])
    return cursor.fetchone()[0] is not None


def months_to_prepare(now: datetime) -> list[date]:
    """Last month (late flushes), this month and the next few."""
    this = month_of(now)
    return months_between(months_back(this, 1), months_back(this, -MONTHS_AHEAD))


def ensure_month_partitions(months: Iterable[date]) -> list[date]:
    """Give each month its partition, moving in its rows from the default one; the months created.

    Safe to run twice and beside writers: the default partition is locked while a month's rows
    leave it, so no row of that month can land there before the new partition is attached.
    """
    if connection.vendor != "postgresql":
        return []
    created = []
    for month in months:
        name = partition_name(month)
        start, end = bounds(month)
        with transaction.atomic(), connection.cursor() as cursor:
            if not is_partitioned(cursor):
                return created
            if exists(cursor, name):
                continue  # the usual case: no lock taken
            cursor.execute(f"LOCK TABLE {DEFAULT_PARTITION} IN ACCESS EXCLUSIVE MODE")
            if exists(cursor, name):
                continue  # made meanwhile by another process
            cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
            cursor.execute(
                f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE bucket_start >= %s AND bucket_start < %s"  # noqa: S608 - our names
                f" RETURNING *) INSERT INTO {name} SELECT * FROM moved",
                [start, end],
            )
            # Attaching builds the partition's share of every index of the table.
            cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM ('{start}') TO ('{end}')")
            cursor.execute(grouping_statistics(name))
        created.append(month)
    return created
