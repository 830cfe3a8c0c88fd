"""The Redis side of metering: one script call per event, and the flush's claim and release.

A bucket is a hash per account and hour. Its fields:
  `c|SERVICE|KEY_ID|DOMAIN_ID|DIRECTION`  events counted
  `s|SERVICE|KEY_ID|DOMAIN_ID|DIRECTION`  bytes of those events
  `k|KEY_ID` and `d|DOMAIN_ID`            the key's and the domain's name when counted
"""

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime

import redis
from django.conf import settings

from . import redis_keys

# KEYS: bucket, month total, closed marker, BUCKETS, pending set, the caller's sequence hash,
#       and optionally a guard key.
# ARGV: combo, count, bytes, key id, key name, domain id, domain name, limit (-1: none),
#       bucket score, bucket TTL, month TTL, seed ('' when unknown), carried, caller, sequence,
#       and the value the guard key must hold (when there is one).
# Counting an event in a bucket also stores the caller's sequence number in the same
# atomic step: after a lost reply, the sequence tells whether the event was counted.

# A flushed bucket stays closed this long: events are counted in Redis only for a recent hour
# (older ones go to the database), so no event for it can come later.
CLOSED_TTL = 86400

# Status codes the script answers with.
COUNTED = 1
BUCKET_CLOSED = 0  # counted in the month total; the caller writes the event to the database
BLOCKED = -1  # over the quota: nothing counted
NEEDS_SEED = -2  # no month total yet: call again with the total from the database
GUARD_FAILED = -3  # the guard key no longer holds the expected value: nothing counted

RECORD_SCRIPT = """
if #KEYS == 7 and redis.call('GET', KEYS[7]) ~= ARGV[16] then return {-3, 0} end
local used = redis.call('GET', KEYS[2])
local carried = tonumber(ARGV[13])
if not used then
  if ARGV[12] == '' then return {-2, 0} end
  redis.call('SET', KEYS[2], ARGV[12], 'EX', ARGV[11], 'NX')
  used = redis.call('GET', KEYS[2])
  carried = 0
end
used = tonumber(used)
if carried > 0 then used = redis.call('INCRBY', KEYS[2], carried) end
local limit = tonumber(ARGV[8])
if limit >= 0 and used >= limit then return {-1, used} end
local count = tonumber(ARGV[2])
if redis.call('EXISTS', KEYS[3]) == 1 then
  return {0, redis.call('INCRBY', KEYS[2], count)}
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('ZADD', KEYS[4], ARGV[9], KEYS[1])
  redis.call('SADD', KEYS[5], KEYS[1])
  redis.call('EXPIRE', KEYS[5], ARGV[10])
  redis.call('HSET', KEYS[1], 'c|' .. ARGV[1], 0)
  redis.call('EXPIRE', KEYS[1], ARGV[10])
end
redis.call('HINCRBY', KEYS[1], 'c|' .. ARGV[1], count)
local size = tonumber(ARGV[3])
if size > 0 then redis.call('HINCRBY', KEYS[1], 's|' .. ARGV[1], size) end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'k|' .. ARGV[4], ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'd|' .. ARGV[6], ARGV[7]) end
redis.call('HSET', KEYS[6], ARGV[14], ARGV[15])
redis.call('EXPIRE', KEYS[6], ARGV[10])
return {1, redis.call('INCRBY', KEYS[2], count)}
"""


@dataclass(frozen=True)
class Event:
    account_id: int
    hour: datetime
    month: datetime
    service: str
    key_id: int | None
    key_name: str
    domain_id: int | None
    domain_name: str
    direction: str
    count: int
    size: int

    @property
    def combo(self) -> str:
        return combo(self.service, self.key_id, self.domain_id, self.direction)


def combo(service: str, key_id: int | None, domain_id: int | None, direction: str) -> str:
    return f"{service}|{'' if key_id is None else key_id}|{'' if domain_id is None else domain_id}|{direction}"


def parse_combo(text: str) -> tuple[str, int | None, int | None, str]:
    service, key_id, domain_id, direction = text.split("|")
    return service, int(key_id) if key_id else None, int(domain_id) if domain_id else None, direction


@dataclass
class Caller:
    """One thread of one process, numbering its script calls.

    The script stores the number of each call that counted an event. When a reply
    is lost, the caller takes a new field, so the old field's last number tells
    for certain whether that last call counted its event.
    """

    key: str
    field: str
    sequence: int = 0

    def next(self) -> "Caller":
        self.sequence += 1
        return self


_process_token = secrets.token_hex(8)
_local = threading.local()


def caller() -> Caller:
    current = getattr(_local, "caller", None)
    if current is None:
        current = _local.caller = Caller(redis_keys.sequences(_process_token), secrets.token_hex(6))
    return current


def retire_caller() -> None:
    """After a lost reply: later calls of this thread use a new field."""
    _local.caller = None


class NotSent(redis.ConnectionError):
    """Redis could not be reached before the command was sent: it certainly did not run."""


_script_sha = hashlib.sha1(RECORD_SCRIPT.encode()).hexdigest()  # noqa: S324 (Redis names scripts by SHA-1)


def count(
    client: redis.Redis,
    event: Event,
    *,
    limit: int,
    seed: int | None,
    carried: int,
    caller: Caller,
    guard: tuple[str, str] | None = None,
) -> tuple[int, int]:
    """Count `event` and read the month total in one round trip: (status, month total).

    With `guard` (a Redis key and the value it must hold), nothing happens unless it
    holds: the status is then GUARD_FAILED. Raises NotSent when Redis was not reached;
    any other RedisError leaves it unknown whether the event was counted, which
    `caller`'s sequence settles later.
    """
    bucket = redis_keys.bucket(event.account_id, event.hour)
    ttl = settings.USAGE_BUCKET_TTL_DAYS * 86400
    keys = [
        bucket,
        redis_keys.month_total(event.account_id, event.month),
        redis_keys.closed(bucket),
        redis_keys.BUCKETS,
        redis_keys.pending(event.account_id),
        caller.key,
    ]
    args = [
        event.combo,
        event.count,
        event.size,
        "" if event.key_id is None else event.key_id,
        event.key_name,
        "" if event.domain_id is None else event.domain_id,
        event.domain_name,
        limit,
        int(event.hour.timestamp()),
        ttl,
        ttl + 31 * 86400,
        "" if seed is None else seed,
        carried,
        caller.field,
        caller.sequence,
    ]
    if guard is not None:
        keys.append(guard[0])
        args.append(guard[1])
    pool = client.connection_pool
    try:
        connection = pool.get_connection()
    except redis.RedisError as error:
        raise NotSent(str(error)) from error
    try:
        try:
            connection.send_command("EVALSHA", _script_sha, len(keys), *keys, *args)
            reply = connection.read_response()
        except redis.exceptions.NoScriptError:
            connection.send_command("EVAL", RECORD_SCRIPT, len(keys), *keys, *args)
            reply = connection.read_response()
    except BaseException:
        connection.disconnect()
        raise
    finally:
        pool.release(connection)
    status, used = reply
    return int(status), int(used)


def counted_in_redis(client: redis.Redis, doubts: list[tuple[str, str, int]]) -> list[bool | None]:
    """For (key, field, sequence) of calls whose reply was lost: did each count its event?"""
    if not doubts:
        return []
    pipe = client.pipeline(transaction=False)
    for key, field, _sequence in doubts:
        pipe.hget(key, field)
    return [
        value is not None and int(value) >= sequence
        for value, (_key, _field, sequence) in zip(pipe.execute(), doubts, strict=True)
    ]


def month_total(client: redis.Redis, account_id: int, month: datetime) -> int | None:
    value = client.get(redis_keys.month_total(account_id, month))
    return None if value is None else int(value)


@dataclass(frozen=True)
class BucketRow:
    """One field group of a bucket hash: what becomes one UsageBucket row."""

    bucket_key: str
    account_id: int
    hour: datetime
    service: str
    key_id: int | None
    key_name: str
    domain_id: int | None
    domain_name: str
    direction: str
    count: int
    size: int

    @property
    def flush_key(self) -> str:
        return f"{self.bucket_key}|{combo(self.service, self.key_id, self.domain_id, self.direction)}"


def bucket_rows(bucket_key: str, fields: dict[str, str]) -> list[BucketRow]:
    account_id, hour = redis_keys.parse_bucket(bucket_key)
    rows = []
    for field, value in fields.items():
        if not field.startswith("c|") or int(value) == 0:
            continue
        service, key_id, domain_id, direction = parse_combo(field[2:])
        rows.append(
            BucketRow(
                bucket_key=bucket_key,
                account_id=account_id,
                hour=hour,
                service=service,
                key_id=key_id,
                key_name=fields.get(f"k|{key_id}", "") if key_id is not None else "",
                domain_id=domain_id,
                domain_name=fields.get(f"d|{domain_id}", "") if domain_id is not None else "",
                direction=direction,
                count=int(value),
                size=int(fields.get("s|" + field[2:], 0)),
            )
        )
    return rows


def settled_buckets(client: redis.Redis, *, started_before: datetime, limit: int) -> list[str]:
    return client.zrangebyscore(redis_keys.BUCKETS, "-inf", int(started_before.timestamp()), start=0, num=limit)


def claim(client: redis.Redis, bucket_keys: list[str]) -> dict[str, dict[str, str]]:
    """Close the buckets to new events and read them, atomically."""
    pipe = client.pipeline(transaction=True)
    for key in bucket_keys:
        pipe.set(redis_keys.closed(key), 1, ex=CLOSED_TTL)
        pipe.hgetall(key)
    replies = pipe.execute()
    return {key: replies[2 * i + 1] for i, key in enumerate(bucket_keys)}


def release(client: redis.Redis, bucket_keys: list[str]) -> None:
    """Forget flushed buckets; called only once their rows are committed."""
    pipe = client.pipeline(transaction=True)
    for key in bucket_keys:
        account_id, _hour = redis_keys.parse_bucket(key)
        pipe.delete(key)
        pipe.srem(redis_keys.pending(account_id), key)
    pipe.zrem(redis_keys.BUCKETS, *bucket_keys)
    pipe.execute()


def pending_buckets(client: redis.Redis, account_id: int) -> dict[str, dict[str, str]]:
    """The account's unflushed buckets and their fields, in two round trips."""
    keys = sorted(client.smembers(redis_keys.pending(account_id)))
    if not keys:
        return {}
    pipe = client.pipeline(transaction=False)
    for key in keys:
        pipe.hgetall(key)
    return {key: fields for key, fields in zip(keys, pipe.execute(), strict=True) if fields}
