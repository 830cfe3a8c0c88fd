"""The monthly rollup of one month of about 5,000,000 bucket rows, on PostgreSQL.

Run: .venv/bin/python bench/rollup.py   (PostgreSQL on loopback; databases mailsac_bench_rollup and _alone)

Loads bucket rows with COPY for 1,000 accounts and 3,000 domains: the month being
rolled up (1,000 accounts x 720 hours x 7 kinds = 5,040,000 rows), then eleven
earlier months with fewer rows. Prints:
- the rollup of the month alone, in rows per second (goal: under 10 s);
- the same rollup with the eleven other months present (goal: at most 10 % slower:
  the month's rows are read from its own partition, not by scanning all history);
  the two are separate databases (the second a copy of the first plus the history),
  timed in alternating rounds so that both meet the same machine;
- a Python loop over a 10 % sample of the month's rows, extrapolated (goal: the
  rollup at least 10 times faster).
BENCH_HOURS_OTHER (default 60) sets the hours of data per account in each other month;
BENCH_ROUNDS (default 5) how many runs of each rollup the best is taken from.
"""

import os
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

from bench.common import bench_env, prepare_database
from usage import counters
from usage.months import month_start, next_month

ACCOUNTS = 1_000
DOMAINS_PER_ACCOUNT = 3
MONTH = date(2026, 12, 1)
HOURS_OTHER = int(os.environ.get("BENCH_HOURS_OTHER", "60"))
# Best of this many runs of each rollup: one run on two cores varies by up to 50 %.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
NULL = "\\N"
UNUSABLE = "!"  # an unusable password hash: these accounts never sign in
COLUMNS = (
    "account_id, bucket_start, service, key_id, key_name, domain_id, domain_name, direction, count, bytes, flush_key"
)


def kinds(account: int):
    """Seven rows per account and hour: two keys' API calls, captures of three domains, two forwards."""
    d = account * DOMAINS_PER_ACCOUNT
    return [
        ("api", account * 2, "key-a", None, "", "", 40, 0),
        ("api", account * 2 + 1, "key-b", None, "", "", 15, 0),
        ("capture", None, "", d, f"d{d}.example", "in", 6, 60_000),
        ("capture", None, "", d + 1, f"d{d + 1}.example", "in", 3, 30_000),
        ("capture", None, "", d + 2, f"d{d + 2}.example", "in", 1, 9_000),
        ("webhook", None, "", d, f"d{d}.example", "out", 2, 4_000),
        ("slack", None, "", d + 1, f"d{d + 1}.example", "out", 1, 1_000),
    ]


def copy_month(connection, account_ids: list[int], month: date, hours: int) -> int:
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    month_hours = int((month_start(next_month(month)) - start).total_seconds() // 3600)
    step = max(1, month_hours // hours)
    # The parts of each line that do not change with the hour, built once.
    parts = []
    for index, account in enumerate(account_ids):
        for service, key_id, key_name, domain_id, domain_name, direction, count, size in kinds(index):
            middle = (
                f"{service}\t{NULL if key_id is None else key_id}\t{key_name}\t"
                f"{NULL if domain_id is None else domain_id}\t{domain_name}\t{direction}\t{count}\t{size}"
            )
            parts.append(
                (f"{account}\t", middle, f"usage:b:{account}:", counters.combo(service, key_id, domain_id, direction))
            )
    rows = 0
    with connection.cursor() as cursor, cursor.copy(f"COPY usage_usagebucket ({COLUMNS}) FROM STDIN") as copy:
        for hour in range(0, month_hours, step)[:hours]:
            moment = start + timedelta(hours=hour)
            stamp, tag = moment.isoformat(), moment.strftime("%Y%m%d%H")
            copy.write("".join(f"{a}{stamp}\t{m}\t{b}{tag}|{c}\n" for a, m, b, c in parts))
            rows += len(parts)
    connection.commit()
    return rows


SECONDARY_INDEXES = """
SELECT index.relname, pg_get_indexdef(i.indexrelid), con.conname, pg_get_constraintdef(con.oid)
FROM pg_index AS i
JOIN pg_class AS index ON index.oid = i.indexrelid
LEFT JOIN pg_constraint AS con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
WHERE i.indrelid = 'usage_usagebucket'::regclass AND NOT i.indisprimary
"""


def secondary_indexes(cursor) -> list[tuple[str, str]]:
    """(drop, create) for each index and unique constraint of the table but its primary key."""
    cursor.execute(SECONDARY_INDEXES)
    statements = []
    for index, index_sql, constraint, constraint_sql in cursor.fetchall():
        if constraint:
            statements.append(
                (
                    f"ALTER TABLE usage_usagebucket DROP CONSTRAINT {constraint}",
                    f"ALTER TABLE usage_usagebucket ADD CONSTRAINT {constraint} {constraint_sql}",
                )
            )
        else:
            statements.append((f"DROP INDEX {index}", index_sql))
    return statements


def load(connection, account_ids, months_hours) -> int:
    """COPY with the indexes and the unique constraint dropped, then rebuilt: how a bulk load is done."""
    with connection.cursor() as cursor:
        indexes = secondary_indexes(cursor)
        cursor.execute("SET session_replication_role = replica")  # no FK trigger per row
        for drop, _create in indexes:
            cursor.execute(drop)
    connection.commit()
    rows = sum(copy_month(connection, account_ids, month, hours) for month, hours in months_hours)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = origin")
        for _drop, create in indexes:
            cursor.execute(create)
    connection.commit()
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE usage_usagebucket")
    connection.autocommit = False
    return rows


def use_database(name: str) -> None:
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def timed_rollup(now, database: str) -> float:
    from usage.services import usage_rollup_month

    use_database(database)
    started = time.perf_counter()
    usage_rollup_month(month=MONTH, now=now)
    return time.perf_counter() - started


def python_loop_on_sample(now) -> float:
    """Aggregate a 10 % sample of the month's rows in Python and upsert the groups one by one."""
    from django.db import connection, transaction

    from usage.services import ROLLUP_SQL

    started = time.perf_counter()
    groups = defaultdict(lambda: [0, 0, 0, 0, 0, "", ""])
    with transaction.atomic(), connection.cursor() as outer:
        cursor = outer.connection.cursor(name="sample")
        cursor.itersize = 20_000
        cursor.execute(
            "SELECT account_id, key_id, key_name, domain_id, domain_name, service, direction, count, bytes"
            " FROM usage_usagebucket WHERE bucket_start >= %s AND bucket_start < %s AND id %% 10 = 0",
            [month_start(MONTH), month_start(next_month(MONTH))],
        )
        for account_id, key_id, key_name, domain_id, domain_name, service, direction, count, size in cursor:
            group = groups[(account_id, key_id, domain_id, service)]
            group[0] += count
            if direction == "in":
                group[1] += count
                group[3] += size
            elif direction == "out":
                group[2] += count
                group[4] += size
            group[5], group[6] = key_name, domain_name
        cursor.close()
    upsert = ROLLUP_SQL.split("SELECT", 1)[0] + "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    upsert += " ON CONFLICT" + ROLLUP_SQL.split("ON CONFLICT", 1)[1]
    with connection.cursor() as cursor:
        cursor.executemany(
            upsert,
            [(a, MONTH, k, g[5], d, g[6], s, g[0], g[1], g[2], g[3], g[4], now) for (a, k, d, s), g in groups.items()],
        )
    return time.perf_counter() - started


def main():
    history_url = os.environ.get("BENCH_ROLLUP_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mailsac_bench_rollup")
    base, history_db = history_url.rsplit("/", 1)
    alone_db = f"{history_db}_alone"
    env = bench_env(DATABASE_URL=f"{base}/{alone_db}")
    raw = psycopg.connect(f"{base}/postgres", autocommit=True)
    for name in (alone_db, history_db):
        raw.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    prepare_database(env)
    os.environ.update(env)
    import django

    django.setup()

    from accounts.models import Account
    from usage.models import MonthlyUsage
    from usage.months import months_back
    from usage.partitions import ensure_month_partitions

    Account.objects.bulk_create(
        Account(username=f"bench-rollup-{i}", email=f"r{i}@example.com", password=UNUSABLE) for i in range(ACCOUNTS)
    )
    account_ids = list(Account.objects.filter(username__startswith="bench-rollup-").values_list("pk", flat=True))
    others = [(months_back(MONTH, back), HOURS_OTHER) for back in range(1, 12)]
    ensure_month_partitions([MONTH, *(month for month, _hours in others)])  # whenever the bench runs
    now = datetime(2027, 1, 1, 3, tzinfo=UTC)

    started = time.perf_counter()
    with psycopg.connect(env["DATABASE_URL"]) as alone:
        month_rows = load(alone, account_ids, [(MONTH, 720)])
    print(f"loaded the month     : {month_rows:>10,} rows with COPY in {time.perf_counter() - started:.1f} s")
    use_database(alone_db)  # no session may stay on the template of the copy
    raw.execute(f'CREATE DATABASE "{history_db}" TEMPLATE "{alone_db}"')
    started = time.perf_counter()
    with psycopg.connect(f"{base}/{history_db}") as history:
        other_rows = load(history, account_ids, others)
    print(f"loaded 11 more months: {other_rows:>10,} rows with COPY in {time.perf_counter() - started:.1f} s (a copy)")

    rounds = {alone_db: [], history_db: []}
    for _ in range(ROUNDS):
        for name, times in rounds.items():
            times.append(timed_rollup(now, name))
    alone, with_history = min(rounds[alone_db]), min(rounds[history_db])
    groups = MonthlyUsage.objects.filter(month=MONTH).count()
    print(f"rollup, month alone  : {alone:8.2f} s  {month_rows / alone:>12,.0f} rows/s  ({groups:,} statistics rows)")
    print(f"rollup, with history : {with_history:8.2f} s  {month_rows / with_history:>12,.0f} rows/s")
    for name, label in ((alone_db, "alone"), (history_db, "history")):
        print(f"  rounds, {label:<8}: " + "  ".join(f"{seconds:.2f}" for seconds in rounds[name]))

    loop = python_loop_on_sample(now) * 10
    print(f"Python loop (10 % sample x 10): {loop:8.2f} s")
    print(f"ratio loop / rollup          : {loop / with_history:8.1f}  (goal >= 10)")
    print(f"ratio history / alone        : {with_history / alone:8.2f}  (goal <= 1.10)")
    print(f"month under 10 s             : {'yes' if with_history < 10 else 'NO'} ({with_history:.2f} s)")


if __name__ == "__main__":
    main()
