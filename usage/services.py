"""Metering, quota, flush and rollup: every producer of usage comes through `record`.

Production (REDIS_URL set): an event is one Lua script call that counts it in its
hourly bucket and returns the month total the quota needs, in one round trip. A
Celery beat task moves settled buckets into the database, exactly once. If Redis
cannot be reached the event goes straight to the database and the error is logged.
Embedded: events go straight to the database.
"""

import logging
import math
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import redis
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Min, Sum
from django.utils import timezone

from accounts.models import Account
from accounts.redis_client import redis_client

from . import counters
from .models import Direction, MonthlyUsage, QuotaWarning, RollupMonth, Service, UsageBucket
from .months import (
    hour_of,
    month_label,
    month_of,
    month_start,
    months_between,
    next_month,
    seconds_to_next_month,
)
from .partitions import ensure_month_partitions, months_to_prepare

logger = logging.getLogger(__name__)

WARNING_PERCENTS = (80, 100)
# Events that must say their direction: Email Capture messages. A forward (Slack, webhook,
# WebSocket) is an operation only: its message was counted in the statistics when it arrived.
MESSAGE_SERVICES = frozenset({Service.CAPTURE})


@dataclass(frozen=True)
class QuotaState:
    """An account's monthly operations against its quota, as the REST API reports it."""

    limit: int
    used: int
    remaining: int
    blocked: bool
    retry_after: int

    @classmethod
    def of(cls, *, account: Account, used: int, blocked: bool, now: datetime) -> "QuotaState":
        limit = account.limits.quota
        return cls(
            limit=limit,
            used=used,
            remaining=max(limit - used, 0),
            blocked=blocked,
            retry_after=seconds_to_next_month(now),
        )


class QuotaExceeded(Exception):
    """A REST call over the monthly quota: the API answers 429 with Retry-After."""

    def __init__(self, quota: QuotaState):
        self.quota = quota
        super().__init__(
            f"This account has used its {quota.limit:,} operations for this month. "
            f"The quota resets at the start of next month (UTC), in {quota.retry_after:,} seconds; "
            "a bigger plan or overage lifts it sooner."
        )


def metering_uses_redis() -> bool:
    return bool(settings.REDIS_URL)


def record(
    *,
    account: Account,
    service: str,
    key=None,
    domain=None,
    direction: str | None = None,
    size: int = 0,
    count: int = 1,
    at: datetime | None = None,
) -> None:
    """Count `count` events (default one) of `service` for `account`.

    `key` is the API key used (anything with `.pk` and `.name`) or None; `domain`
    the custom domain a message was for, or None; `direction` is "in" or "out" for
    messages; `size` their bytes. `at` backdates the events (demo history, backfills).
    """
    event = _event(
        account=account, service=service, key=key, domain=domain, direction=direction, size=size, count=count, at=at
    )
    _count(account=account, event=event, limit=-1, now=timezone.now())


class GuardUnconfirmed(Exception):
    """Redis did not confirm the guard of `api_call_record`.

    `quota` is None when nothing was counted; when Redis took the call but its reply
    was lost, the call was counted once (in doubt, see `_count`) and `quota` is its state.
    """

    def __init__(self, quota: QuotaState | None = None):
        self.quota = quota
        super().__init__("The guard of a metered call was not confirmed by Redis.")


def api_call_record(*, account: Account, key, guard: tuple[str, str] | None = None) -> QuotaState:
    """Meter one authenticated REST call and check the quota, in one Redis round trip.

    Over the quota (and without overage allowed) the call is not counted and the
    state says `blocked`. With `guard` (a Redis key and the value it must hold, see
    `apikeys.key_cache`), the same round trip checks it first: GuardUnconfirmed
    when it does not hold or Redis cannot say.
    """
    now = timezone.now()
    event = _event(account=account, service=Service.API, key=key, domain=None, direction=None, size=0, count=1, at=now)
    limit = -1 if account.overage_allowed else account.limits.quota
    used, blocked = _count(account=account, event=event, limit=limit, now=now, guard=guard)
    return QuotaState.of(account=account, used=used, blocked=blocked, now=now)


def quota_state(*, account: Account) -> QuotaState:
    """The account's operations this month without counting anything."""
    now = timezone.now()
    used = None
    if metering_uses_redis():
        try:
            used = counters.month_total(redis_client(), account.pk, month_start(month_of(now)))
        except redis.RedisError:
            logger.exception("Redis unreachable reading the month total of account %s", account.pk)
    if used is None:
        used = _database_month_total(account.pk, month_of(now))
    blocked = not account.overage_allowed and used >= account.limits.quota
    return QuotaState.of(account=account, used=used, blocked=blocked, now=now)


def operations_in_month(account_id: int, year: int, month: int) -> int:
    """Operations of an account in a month: the invoices' usage source."""
    first = date(year, month, 1)
    closed = RollupMonth.objects.filter(month=first, closed=True).exists()
    if closed:
        total = MonthlyUsage.objects.filter(account_id=account_id, month=first).aggregate(n=Sum("operations"))["n"]
        return total or 0
    return _database_month_total(account_id, first)


def _event(*, account, service, key, domain, direction, size, count, at) -> counters.Event:
    if service not in Service.values:
        raise ValueError(f"Unknown service {service!r}: one of {', '.join(Service.values)}.")
    if direction is not None and direction not in Direction.values:
        raise ValueError(f"Unknown direction {direction!r}: 'in' or 'out'.")
    if service in MESSAGE_SERVICES and direction is None:
        raise ValueError("A message event needs a direction, 'in' or 'out'.")
    if service == Service.API and (direction is not None or domain is not None):
        raise ValueError("A REST API call has no direction and no domain.")
    if size < 0 or count < 1:
        raise ValueError("size must be at least 0 and count at least 1.")
    moment = at or timezone.now()
    return counters.Event(
        account_id=account.pk,
        hour=hour_of(moment),
        month=month_start(month_of(moment)),
        service=str(service),
        key_id=None if key is None else key.pk,
        key_name="" if key is None else key.name[:64],
        domain_id=None if domain is None else domain.pk,
        domain_name="" if domain is None else domain.name[:253],
        direction=direction or "",
        count=count,
        size=size,
    )


# Events written to the database while Redis was unreachable, per (account, month):
# added to the Redis month total by this process's next successful call.
_carried: dict[tuple[int, str], int] = defaultdict(int)
_carried_lock = threading.Lock()


def _take_carried(slot: tuple[int, str]) -> int:
    with _carried_lock:
        return _carried.pop(slot, 0)


def _put_carried(slot: tuple[int, str], n: int) -> None:
    if n:
        with _carried_lock:
            _carried[slot] += n


def _count(
    *, account: Account, event: counters.Event, limit: int, now: datetime, guard: tuple[str, str] | None = None
) -> tuple[int, bool]:
    """Count the event; (month total after it, blocked). Falls back to the database.

    Backdated events (an hour that has settled) go to the database too: their
    bucket may have been flushed already. With `guard`, GuardUnconfirmed unless
    Redis confirmed it (see `api_call_record`).
    """
    settled_before = now - timedelta(hours=1, seconds=settings.USAGE_SETTLE_SECONDS)
    if not metering_uses_redis() or event.hour <= settled_before:
        if guard is not None:
            raise GuardUnconfirmed()
        return _database_count(event=event, limit=limit, account=account)
    slot = (event.account_id, f"{event.month:%Y%m}")
    carried = _take_carried(slot)
    doubt = None
    try:
        client = redis_client()
        status, used = counters.count(
            client, event, limit=limit, seed=None, carried=carried, caller=counters.caller().next(), guard=guard
        )
        if status == counters.NEEDS_SEED:
            seed = _database_month_total(event.account_id, event.month.date())
            status, used = counters.count(
                client, event, limit=limit, seed=seed, carried=carried, caller=counters.caller().next(), guard=guard
            )
        if status == counters.GUARD_FAILED:
            _put_carried(slot, carried)
            raise GuardUnconfirmed()
    except counters.NotSent:
        _put_carried(slot, carried)
        if guard is not None:
            raise GuardUnconfirmed() from None
        logger.exception("Redis unreachable: usage of account %s written to the database", event.account_id)
    except redis.RedisError:
        # The script may have run: the row keeps the call's number until the flush settles it.
        who = counters.caller()
        doubt = f"{who.key}|{who.field}|{who.sequence}|{int(now.timestamp())}"
        counters.retire_caller()
        logger.exception("Redis reply lost: usage of account %s written to the database, in doubt", event.account_id)
    else:
        if status == counters.BLOCKED:
            return used, True
        if status == counters.BUCKET_CLOSED:
            _write_events([event])
        _warn_on_crossing(account=account, month=event.month.date(), before=used - event.count, after=used)
        return used, False
    used, blocked = _database_count(event=event, limit=limit, account=account, doubt=doubt)
    if not blocked and doubt is None:
        _put_carried(slot, event.count)
    if guard is not None:
        # The reply was lost: the call is counted once (in doubt), whether the guard held is unknown.
        raise GuardUnconfirmed(QuotaState.of(account=account, used=used, blocked=blocked, now=now))
    return used, blocked


def _database_count(
    *, event: counters.Event, limit: int, account: Account, doubt: str | None = None
) -> tuple[int, bool]:
    if limit < 0 and event.month.date() < month_of(timezone.now()):
        _write_events([event], doubt=doubt)  # backdated: no quota, no warning
        return 0, False
    # Read then insert, without a lock: over the quota by a few concurrent calls at most.
    before = _database_month_total(event.account_id, event.month.date())
    if 0 <= limit <= before:
        return before, True
    _write_events([event], doubt=doubt)
    _warn_on_crossing(account=account, month=event.month.date(), before=before, after=before + event.count)
    return before + event.count, False


def _write_events(events: list[counters.Event], *, doubt: str | None = None) -> None:
    _reopen_months({event.month.date() for event in events}, now=timezone.now())
    UsageBucket.objects.bulk_create(
        UsageBucket(
            account_id=event.account_id,
            bucket_start=event.hour,
            service=event.service,
            key_id=event.key_id,
            key_name=event.key_name,
            domain_id=event.domain_id,
            domain_name=event.domain_name,
            direction=event.direction,
            count=event.count,
            bytes=event.size,
            doubt=doubt,
        )
        for event in events
    )


def _database_month_total(account_id: int, month: date) -> int:
    total = UsageBucket.objects.filter(
        account_id=account_id, bucket_start__gte=month_start(month), bucket_start__lt=month_start(next_month(month))
    ).aggregate(n=Sum("count"))["n"]
    return total or 0


# Quota warnings


def _warn_on_crossing(*, account: Account, month: date, before: int, after: int) -> None:
    """Queue the 80 % / 100 % email when this count crossed the threshold (exactly one call does)."""
    if not account.quota_warning_emails:
        return
    limit = account.limits.quota
    for percent in WARNING_PERCENTS:
        threshold = math.ceil(limit * percent / 100)
        if before < threshold <= after:
            transaction.on_commit(lambda percent=percent: _queue_warning(account.pk, month, percent))


def _queue_warning(account_id: int, month: date, percent: int) -> None:
    from .tasks import send_quota_warning

    send_quota_warning.delay(account_id, month_label(month), percent)


@transaction.atomic
def quota_warning_send(*, account_id: int, month: date, percent: int) -> bool:
    """Send the warning email unless this account already had it this month; True when sent."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    account = Account.objects.filter(pk=account_id).first()
    if account is None or not account.quota_warning_emails:
        return False
    warning, _created = QuotaWarning.objects.select_for_update().get_or_create(
        account=account, month=month, percent=percent
    )
    if warning.sent_at is not None:
        return False
    state = quota_state(account=account)
    context = {
        "account": account,
        "percent": percent,
        "month": month_start(month),
        "used": state.used,
        "limit": state.limit,
        "overage_allowed": account.overage_allowed,
        "reset": month_start(next_month(month)),
        "site_url": settings.SITE_URL,
    }
    subject = render_to_string("emails/usage_quota_warning_subject.txt", context).strip()
    send_mail(
        subject,
        render_to_string("emails/usage_quota_warning.txt", context),
        None,
        [account.email],
        html_message=render_to_string("emails/usage_quota_warning.html", context),
    )
    warning.sent_at = timezone.now()
    warning.save(update_fields=["sent_at"])
    return True


# Flush: settled Redis buckets into the database, exactly once


def usage_flush(*, now: datetime | None = None) -> int:
    """Move every settled bucket from Redis into the database; returns how many were moved.

    Each bucket is closed to new events and read atomically, its rows inserted
    once (keyed by bucket and field), and deleted from Redis only after the commit:
    running it twice, or again after a crash anywhere, counts every event once.
    Call it outside any transaction (the beat task and the command do), so that
    its commit is final.
    """
    if not metering_uses_redis():
        return 0
    now = now or timezone.now()
    client = redis_client()
    usage_settle_doubts(now=now)
    # A bucket is settled once its hour ended USAGE_SETTLE_SECONDS ago.
    started_before = now - timedelta(hours=1, seconds=settings.USAGE_SETTLE_SECONDS)
    moved = 0
    while True:
        keys = counters.settled_buckets(client, started_before=started_before, limit=settings.USAGE_FLUSH_BATCH)
        if not keys:
            return moved
        contents = counters.claim(client, keys)
        rows = [row for key, fields in contents.items() for row in counters.bucket_rows(key, fields)]
        _store_flushed(rows, now=now)
        counters.release(client, keys)
        moved += len(keys)


DOUBT_SETTLE_SECONDS = 30  # a call whose reply was lost cannot still run in Redis after this


def parse_doubt(doubt: str) -> tuple[str, str, int, int]:
    key, field, sequence, epoch = doubt.split("|")
    return key, field, int(sequence), int(epoch)


def usage_settle_doubts(*, now: datetime | None = None) -> int:
    """Settle events written to the database after a lost Redis reply; returns how many.

    The caller's sequence number in Redis says whether the script counted the
    event: if so the Redis copy stands and the database row goes, if not the row stays.
    """
    now = now or timezone.now()
    found = UsageBucket.objects.filter(doubt__isnull=False).values_list("pk", "doubt", "bucket_start")[:5000]
    cutoff = now.timestamp() - DOUBT_SETTLE_SECONDS
    rows = [(pk, parse_doubt(doubt), start) for pk, doubt, start in found if parse_doubt(doubt)[3] <= cutoff]
    if not rows:
        return 0
    answers = counters.counted_in_redis(redis_client(), [doubt[:3] for _pk, doubt, _start in rows])
    twice = [(pk, start) for (pk, _doubt, start), counted in zip(rows, answers, strict=True) if counted]
    once = [pk for (pk, _doubt, _start), counted in zip(rows, answers, strict=True) if not counted]
    with transaction.atomic():
        UsageBucket.objects.filter(pk__in=[pk for pk, _start in twice]).delete()
        UsageBucket.objects.filter(pk__in=once).update(doubt=None)
        _reopen_months({month_of(start) for _pk, start in twice}, now=now)
    return len(rows)


def _reopen_months(months: set[date], *, now: datetime) -> None:
    """Months whose rows changed after a rollup: the next rollup recomputes them."""
    months = {month for month in months if month < month_of(now)}
    if months:
        RollupMonth.objects.filter(month__in=months).update(closed=False, version=F("version") + 1)


@transaction.atomic
def _store_flushed(rows: list[counters.BucketRow], *, now: datetime) -> None:
    live_accounts = set(Account.objects.filter(pk__in={row.account_id for row in rows}).values_list("pk", flat=True))
    UsageBucket.objects.bulk_create(
        (
            UsageBucket(
                account_id=row.account_id,
                bucket_start=row.hour,
                service=row.service,
                key_id=row.key_id,
                key_name=row.key_name,
                domain_id=row.domain_id,
                domain_name=row.domain_name,
                direction=row.direction,
                count=row.count,
                bytes=row.size,
                flush_key=row.flush_key,
            )
            for row in rows
            if row.account_id in live_accounts
        ),
        ignore_conflicts=True,
        batch_size=1000,
    )
    # Events of a month that is already rolled up reopen it for the next rollup.
    _reopen_months({month_of(row.hour) for row in rows}, now=now)


# Rollup: monthly statistics from the bucket rows, in set-based SQL

# Step 1 aggregates the month's bucket rows into a temporary table. PostgreSQL runs the
# SELECT of an INSERT in one process, but that of a CREATE TABLE AS with parallel workers:
# over 5,000,000 rows that is the difference between 4.5 s and 2.5 s on two cores. Names
# are not aggregated (string comparisons over every row): each group keeps the id of its
# latest row, and step 2 reads the key's and domain's name from that one row.
ROLLUP_GROUPS_TABLE = "usage_rollup_groups"
ROLLUP_GROUPS_SQL = """
CREATE TEMPORARY TABLE usage_rollup_groups AS
SELECT
    account_id, key_id, domain_id, service, direction, SUM("count") AS n, SUM("bytes") AS size, MAX(id) AS latest
FROM usage_usagebucket
WHERE bucket_start >= %(start)s AND bucket_start < %(end)s
GROUP BY account_id, key_id, domain_id, service, direction
"""
# Step 2 folds the directions together and upserts one statistics row per group.
ROLLUP_SQL = """
INSERT INTO usage_monthlyusage (
    account_id, month, key_id, key_name, domain_id, domain_name, service, operations,
    inbound_messages, outbound_messages, inbound_bytes, outbound_bytes, updated
)
SELECT
    groups.account_id, %(month)s, groups.key_id, COALESCE(MAX(latest.key_name), ''),
    groups.domain_id, COALESCE(MAX(latest.domain_name), ''), groups.service, SUM(n),
    SUM(CASE WHEN groups.direction = 'in' THEN n ELSE 0 END),
    SUM(CASE WHEN groups.direction = 'out' THEN n ELSE 0 END),
    SUM(CASE WHEN groups.direction = 'in' THEN size ELSE 0 END),
    SUM(CASE WHEN groups.direction = 'out' THEN size ELSE 0 END),
    %(now)s
FROM usage_rollup_groups AS groups
LEFT JOIN usage_usagebucket AS latest
    ON latest.id = groups.latest AND latest.bucket_start >= %(start)s AND latest.bucket_start < %(end)s
WHERE true
GROUP BY groups.account_id, groups.key_id, groups.domain_id, groups.service
ON CONFLICT (account_id, month, COALESCE(key_id, 0), COALESCE(domain_id, 0), service) DO UPDATE SET
    key_name = excluded.key_name,
    domain_name = excluded.domain_name,
    operations = excluded.operations,
    inbound_messages = excluded.inbound_messages,
    outbound_messages = excluded.outbound_messages,
    inbound_bytes = excluded.inbound_bytes,
    outbound_bytes = excluded.outbound_bytes,
    updated = excluded.updated
"""
ROLLUP_LOCK_ID = 0x75736167  # "usag": one rollup at a time across every worker


class RollupBusy(Exception):
    """Another rollup is running."""


def rollup_due_months(*, now: datetime) -> list[date]:
    """The current month and every earlier month with data that is not closed, oldest first."""
    current = month_of(now)
    first = UsageBucket.objects.aggregate(first=Min("bucket_start"))["first"]
    if first is None:
        return [current]
    closed = set(RollupMonth.objects.filter(closed=True).values_list("month", flat=True))
    return [month for month in months_between(month_of(first), current) if month not in closed]


def usage_rollup(*, now: datetime | None = None, months: list[date] | None = None) -> list[date]:
    """Roll up `months` (default: those due); one run at a time. Returns the months done."""
    now = now or timezone.now()
    with _rollup_lock():
        ensure_month_partitions(months_to_prepare(now))
        due = months if months is not None else rollup_due_months(now=now)
        for month in due:
            usage_rollup_month(month=month, now=now)
    return due


@transaction.atomic
def usage_rollup_month(*, month: date, now: datetime) -> None:
    """Recompute one month's statistics; closes the month once it has ended and settled."""
    state, _created = RollupMonth.objects.get_or_create(month=month)
    start, end = month_start(month), month_start(next_month(month))
    ops = connection.ops
    params = {
        "month": ops.adapt_datefield_value(month),
        "now": ops.adapt_datetimefield_value(now),
        "start": ops.adapt_datetimefield_value(start),
        "end": ops.adapt_datetimefield_value(end),
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Compiling this one statement costs more than JIT would ever save on it. The month
            # is read from its own partition (usage/partitions.py), whatever history lies beside it.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(f"DROP TABLE IF EXISTS {ROLLUP_GROUPS_TABLE}")
        cursor.execute(ROLLUP_GROUPS_SQL, params)
        cursor.execute(ROLLUP_SQL, params)
        cursor.execute(f"DROP TABLE {ROLLUP_GROUPS_TABLE}")
    settled = now >= end + timedelta(hours=1, seconds=settings.USAGE_SETTLE_SECONDS)
    # A flush that added late rows meanwhile bumped the version: then the month stays open.
    RollupMonth.objects.filter(month=month, version=state.version).update(closed=settled, rolled_up_at=now)


class _rollup_lock:
    """PostgreSQL: a session advisory lock. SQLite serialises writers by itself."""

    def __enter__(self):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [ROLLUP_LOCK_ID])
                if not cursor.fetchone()[0]:
                    raise RollupBusy("Another usage rollup is running.")
        return self

    def __exit__(self, *exc):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ROLLUP_LOCK_ID])
        return False
