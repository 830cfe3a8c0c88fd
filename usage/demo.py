"""Plausible usage history for the demo accounts, recorded through `record` like real traffic."""

import contextlib
import random
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from .models import Direction, Service, UsageBucket
from .months import month_of, month_start, months_back, months_between, next_month
from .services import RollupBusy, record, usage_rollup

MONTHS_OF_HISTORY = 12
# Daily REST calls of a key in the oldest month, before growth and noise.
DAILY_CALLS = {"individual": 450, "team": 2_400}


def usage_demo_seed(*, accounts: dict, now: datetime | None = None) -> None:
    """Twelve months of history for each demo account that has none yet."""
    now = now or timezone.now()
    seeded = False
    for role, account in accounts.items():
        if UsageBucket.objects.filter(account=account).exists():
            continue
        _seed_account(account, daily_calls=DAILY_CALLS.get(role, 300), now=now)
        seeded = True
    if seeded:
        # Past months went to the database (backdated events do); the rollup reads them once committed.
        transaction.on_commit(lambda: _roll_up(now))


def _roll_up(now: datetime) -> None:
    # A rollup already running, or the nightly one, covers the demo months too.
    with contextlib.suppress(RollupBusy):
        usage_rollup(now=now)


def _seed_account(account, *, daily_calls: int, now: datetime) -> None:
    """Half a month of traffic at a time: the page shows months, so two records a month will do."""
    rng = random.Random(account.username)  # noqa: S311 (demo data, not secrets)
    keys = list(account.api_keys.all()) if hasattr(account, "api_keys") else []
    domains = list(account.domains.all()) if hasattr(account, "domains") else []
    current = month_of(now)
    first = months_back(current, MONTHS_OF_HISTORY - 1)
    day = datetime(first.year, first.month, 1, tzinfo=UTC)
    while day < now:
        days = min(15, (month_start(next_month(month_of(day))) - day).days)
        growth = 1 + 0.06 * (len(months_between(first, month_of(day))) - 1)
        volume = growth * days * 0.85
        for key in keys or [None]:
            calls = int(daily_calls * volume * rng.uniform(0.4, 1.0))
            record(account=account, service=Service.API, key=key, count=calls, at=_within(day, now, rng))
        for domain in domains or [None]:
            _seed_messages(account, domain, keys, day=day, now=now, rng=rng, volume=volume)
        day += timedelta(days=days)


def _seed_messages(account, domain, keys, *, day, now, rng, volume) -> None:
    key = keys[0] if keys else None
    inbound = int(rng.uniform(20, 90) * volume)
    if inbound:
        size = inbound * rng.randint(4_000, 60_000)
        record(
            account=account,
            service=Service.CAPTURE,
            key=key,
            domain=domain,
            direction=Direction.INBOUND,
            size=size,
            count=inbound,
            at=_within(day, now, rng),
        )
    for service in (Service.WEBHOOK, Service.SLACK, Service.WEBSOCKET):
        forwarded = int(inbound * rng.uniform(0.05, 0.4))
        if forwarded:
            record(
                account=account,
                service=service,
                domain=domain,
                direction=Direction.OUTBOUND,
                size=forwarded * rng.randint(2_000, 20_000),
                count=forwarded,
                at=_within(day, now, rng),
            )


def _within(day: datetime, now: datetime, rng: random.Random) -> datetime:
    moment = day + timedelta(hours=rng.randint(7, 20), minutes=rng.randint(0, 59))
    return min(moment, now)
