"""What the usage page, the CSV export and GET /api/usage show: one report, one reading.

Closed months come from the rollup's MonthlyUsage rows; open months (the current
one, any not rolled up since it ended) from the bucket rows, plus in production
the account's buckets still in Redis. A fixed number of queries, whatever the
number of keys, domains or months.
"""

import logging
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import reduce
from operator import or_

import redis
from django.db.models import Max, Min, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import Account
from accounts.redis_client import redis_client

from . import counters
from .models import MonthlyUsage, RollupMonth, Service, UsageBucket
from .months import month_of, month_start, months_back, months_between, next_month
from .services import QuotaState, metering_uses_redis, parse_doubt

logger = logging.getLogger(__name__)

CHART_MONTHS = 12


@dataclass
class Totals:
    """Counts of a month, a key, a service or a domain."""

    operations: int = 0
    inbound_messages: int = 0
    outbound_messages: int = 0
    inbound_bytes: int = 0
    outbound_bytes: int = 0

    def add(self, row: "Row") -> None:
        self.operations += row.operations
        self.inbound_messages += row.inbound_messages
        self.outbound_messages += row.outbound_messages
        self.inbound_bytes += row.inbound_bytes
        self.outbound_bytes += row.outbound_bytes


@dataclass(frozen=True)
class Row:
    """The finest grain: one month, key, domain and service."""

    month: date
    key_id: int | None
    key_name: str
    domain_id: int | None
    domain_name: str
    service: str
    operations: int
    inbound_messages: int
    outbound_messages: int
    inbound_bytes: int
    outbound_bytes: int

    @property
    def service_label(self) -> str:
        return Service(self.service).label


@dataclass
class Named:
    """A key, a service or a domain with its counts; `code` is a service's value."""

    id: int | None
    name: str
    totals: Totals = field(default_factory=Totals)
    code: str = ""


@dataclass
class MonthReport:
    month: date
    totals: Totals
    domains: list[Named]


@dataclass
class UsageReport:
    account: Account
    month: date
    current_month: date
    quota: QuotaState
    rows: list[Row]
    by_key: list[Named]
    by_service: list[Named]
    month_totals: Totals
    history: list[MonthReport]
    all_time_operations: int

    @property
    def warn_at(self) -> int:
        """Operations at which the 80 % warning goes out."""
        return math.ceil(self.quota.limit * 0.8)

    @property
    def next_month(self) -> date:
        return next_month(self.current_month)

    @property
    def months(self) -> list[date]:
        """The months to choose from: every month with usage, and the one shown."""
        return sorted({item.month for item in self.history} | {self.month}, reverse=True)

    @property
    def month_rows(self) -> list[Row]:
        return [row for row in self.rows if row.month == self.month]

    @property
    def chart(self) -> list[MonthReport]:
        """The last CHART_MONTHS months up to the current one, oldest first, empty ones included."""
        by_month = {item.month: item for item in self.history}
        months = months_between(months_back(self.current_month, CHART_MONTHS - 1), self.current_month)
        return [by_month.get(month) or MonthReport(month, Totals(), []) for month in months]


def usage_report(*, account: Account, month: date | None = None, now: datetime | None = None) -> UsageReport:
    now = now or timezone.now()
    current = month_of(now)
    month = month or current
    rows = usage_rows(account=account, now=now)
    return _report(account=account, month=month, current=current, rows=rows)


def usage_rows(*, account: Account, now: datetime) -> list[Row]:
    """Every month of the account's usage at the finest grain, newest month first."""
    current = month_of(now)
    # Redis first: a bucket flushed after this read is then found in the database and skipped here.
    pending = _pending_rows(account) if metering_uses_redis() else []
    closed = set(RollupMonth.objects.filter(closed=True).values_list("month", flat=True))
    first = UsageBucket.objects.aggregate(first=Min("bucket_start"))["first"]
    open_months = {current} | {month_of(row.hour) for row in pending}
    if first is not None:
        open_months |= {m for m in months_between(month_of(first), current) if m not in closed}
    rows = _stats_rows(account, sorted(closed - open_months)) + _bucket_rows(account, open_months)
    if pending:
        rows += _unflushed(account, pending)
    if metering_uses_redis():
        rows += _counted_twice(account, open_months)
    return _merge(rows)


def _stats_rows(account: Account, months: list[date]) -> list[Row]:
    if not months:
        return []
    values = MonthlyUsage.objects.filter(account=account, month__in=months).values_list(
        "month",
        "key_id",
        "key_name",
        "domain_id",
        "domain_name",
        "service",
        "operations",
        "inbound_messages",
        "outbound_messages",
        "inbound_bytes",
        "outbound_bytes",
    )
    return [Row(*value) for value in values]


def _bucket_rows(account: Account, months: set[date]) -> list[Row]:
    ranges = [Q(bucket_start__gte=month_start(m), bucket_start__lt=month_start(next_month(m))) for m in months]
    values = (
        UsageBucket.objects.filter(reduce(or_, ranges), account=account)
        .annotate(month=TruncMonth("bucket_start"))
        .values("month", "key_id", "domain_id", "service", "direction")
        .annotate(n=Sum("count"), size=Sum("bytes"), key_name=Max("key_name"), domain_name=Max("domain_name"))
        .order_by()
    )
    return [
        _row(
            month=month_of(value["month"]),
            key_id=value["key_id"],
            key_name=value["key_name"],
            domain_id=value["domain_id"],
            domain_name=value["domain_name"],
            service=value["service"],
            direction=value["direction"],
            count=value["n"],
            size=value["size"],
        )
        for value in values
    ]


def _pending_rows(account: Account) -> list[counters.BucketRow]:
    try:
        buckets = counters.pending_buckets(redis_client(), account.pk)
    except redis.RedisError:
        logger.exception("Redis unreachable: the usage report of account %s shows flushed usage only", account.pk)
        return []
    return [row for key, fields in buckets.items() for row in counters.bucket_rows(key, fields)]


def _unflushed(account: Account, pending: list[counters.BucketRow]) -> list[Row]:
    flushed = set(
        UsageBucket.objects.filter(
            account=account, bucket_start__in={row.hour for row in pending}, flush_key__isnull=False
        ).values_list("bucket_start", flat=True)
    )
    return [
        _row(
            month=month_of(row.hour),
            key_id=row.key_id,
            key_name=row.key_name,
            domain_id=row.domain_id,
            domain_name=row.domain_name,
            service=row.service,
            direction=row.direction,
            count=row.count,
            size=row.size,
        )
        for row in pending
        if row.hour not in flushed
    ]


def _counted_twice(account: Account, months: set[date]) -> list[Row]:
    """Negative rows for events in doubt that Redis counted too (the flush will drop them)."""
    doubts = list(
        UsageBucket.objects.filter(account=account, doubt__isnull=False).values_list(
            "bucket_start", "service", "key_id", "domain_id", "direction", "count", "bytes", "doubt"
        )
    )
    if not doubts:
        return []
    try:
        answers = counters.counted_in_redis(redis_client(), [parse_doubt(doubt)[:3] for *_rest, doubt in doubts])
    except redis.RedisError:
        logger.exception("Redis unreachable: events in doubt of account %s shown as written", account.pk)
        return []
    return [
        _row(
            month=month_of(start),
            key_id=key_id,
            key_name="",
            domain_id=domain_id,
            domain_name="",
            service=service,
            direction=direction,
            count=-count,
            size=-size,
        )
        for (start, service, key_id, domain_id, direction, count, size, _doubt), counted in zip(
            doubts, answers, strict=True
        )
        if counted and month_of(start) in months
    ]


def _row(*, month, key_id, key_name, domain_id, domain_name, service, direction, count, size) -> Row:
    inbound, outbound = direction == "in", direction == "out"
    return Row(
        month=month,
        key_id=key_id,
        key_name=key_name,
        domain_id=domain_id,
        domain_name=domain_name,
        service=service,
        operations=count,
        inbound_messages=count if inbound else 0,
        outbound_messages=count if outbound else 0,
        inbound_bytes=size if inbound else 0,
        outbound_bytes=size if outbound else 0,
    )


def _merge(rows: list[Row]) -> list[Row]:
    """One row per (month, key, domain, service), newest month first."""
    merged: dict[tuple, Totals] = defaultdict(Totals)
    names: dict[tuple, tuple[str, str]] = {}
    for row in rows:
        grain = (row.month, row.key_id, row.domain_id, row.service)
        merged[grain].add(row)
        key_name, domain_name = names.get(grain, ("", ""))
        names[grain] = (key_name or row.key_name, domain_name or row.domain_name)
    result = [
        Row(month, key_id, names[grain][0], domain_id, names[grain][1], service, **vars(totals))
        for grain, totals in merged.items()
        for month, key_id, domain_id, service in [grain]
    ]
    result.sort(key=lambda r: (-r.month.toordinal(), r.key_name.lower(), r.domain_name, r.service))
    return result


def _report(*, account: Account, month: date, current: date, rows: list[Row]) -> UsageReport:
    by_key: dict[int | None, Named] = {}
    by_service = {service.value: Named(None, service.label, code=service.value) for service in Service}
    month_totals = Totals()
    per_month: dict[date, Totals] = defaultdict(Totals)
    per_domain: dict[tuple[date, int], Named] = {}
    for row in rows:
        per_month[row.month].add(row)
        if row.domain_id is not None and (row.inbound_messages or row.outbound_messages):
            per_domain.setdefault((row.month, row.domain_id), Named(row.domain_id, row.domain_name)).totals.add(row)
        if row.month != month:
            continue
        month_totals.add(row)
        by_key.setdefault(row.key_id, Named(row.key_id, row.key_name)).totals.add(row)
        by_service[row.service].totals.add(row)
    per_month.setdefault(current, Totals())
    history = [
        MonthReport(
            month=m,
            totals=per_month[m],
            domains=sorted((named for (dm, _), named in per_domain.items() if dm == m), key=lambda named: named.name),
        )
        for m in sorted(per_month, reverse=True)
    ]
    return UsageReport(
        account=account,
        month=month,
        current_month=current,
        quota=_quota(account, per_month[current].operations),
        rows=rows,
        by_key=sorted(by_key.values(), key=lambda named: (-named.totals.operations, named.name.lower())),
        by_service=[named for named in by_service.values()],
        month_totals=month_totals,
        history=history,
        all_time_operations=sum(totals.operations for totals in per_month.values()),
    )


def _quota(account: Account, used: int) -> QuotaState:
    blocked = not account.overage_allowed and used >= account.limits.quota
    return QuotaState.of(account=account, used=used, blocked=blocked, now=timezone.now())
