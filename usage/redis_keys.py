"""Every Redis key the usage app writes, in one place.

PATTERNS lists them for whoever must find an account's keys (account deletion):
format each with `account_id=...` and SCAN with it. `BUCKETS` is shared by all
accounts; its members are bucket keys, so remove an account's members from it too.
"""

from datetime import UTC, datetime

PREFIX = "usage"

# Sorted set of every unflushed bucket key, scored by the bucket's start (epoch seconds).
BUCKETS = f"{PREFIX}:buckets"

# Hash of one account's events in one hour: count and bytes per (service, key, domain, direction).
BUCKET_PATTERN = PREFIX + ":b:{account_id}:*"

PATTERNS = [
    BUCKET_PATTERN,
    # One account's operations in one month (the quota counter).
    PREFIX + ":m:{account_id}:*",
    # Set of the account's unflushed bucket keys (read by the usage page).
    PREFIX + ":pending:{account_id}",
    # Marker on a bucket already claimed by a flush: late events go to the database instead.
    PREFIX + ":closed:{account_id}:*",
]

# Not per account: a hash per web process, numbering its threads' calls (see counters.Caller).
GLOBAL_PATTERNS = [BUCKETS, PREFIX + ":seq:*"]


def bucket(account_id: int, start: datetime) -> str:
    return f"{PREFIX}:b:{account_id}:{start:%Y%m%d%H}"


def month_total(account_id: int, start: datetime) -> str:
    return f"{PREFIX}:m:{account_id}:{start:%Y%m}"


def sequences(process_token: str) -> str:
    return f"{PREFIX}:seq:{process_token}"


def pending(account_id: int) -> str:
    return f"{PREFIX}:pending:{account_id}"


def closed(bucket_key: str) -> str:
    """The marker of `bucket_key` (usage:b:ACCOUNT:HOUR -> usage:closed:ACCOUNT:HOUR)."""
    return f"{PREFIX}:closed:{bucket_key.split(':', 2)[2]}"


def parse_bucket(bucket_key: str) -> tuple[int, datetime]:
    """(account_id, bucket start in UTC) of a bucket key."""
    _prefix, _b, account_id, hour = bucket_key.split(":")
    return int(account_id), datetime.strptime(hour, "%Y%m%d%H").replace(tzinfo=UTC)


def account_keys(account_id: int) -> list[str]:
    return [pattern.format(account_id=account_id) for pattern in PATTERNS]
