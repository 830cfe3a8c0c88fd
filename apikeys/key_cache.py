"""Key rows kept in process memory, trusted only while Redis vouches for them.

Reading the key from PostgreSQL on every REST call costs a query and most of the
call's time. Each process keeps the rows it has read instead, and learns on the very
next call that one went stale, without a round trip of its own:

- Each key has a *generation* in Redis (`keygen:<lookup>`): a random token, made when
  the key is created (or, for a key without one, after a read that found the key), read
  before the row is read from the database and remembered with the row. A row read
  while its key had no token is not cached: the next read, once the token exists, is.
  A well-formed key that matches nothing writes nothing to Redis.
- Any change to a key or to its account deletes the token, at once and again after
  the transaction commits (so a row read before the commit cannot survive it).
- The metering script that every REST call runs anyway compares the token first
  (`usage.api_call_record(guard=...)`) and counts nothing when it differs: a stale
  row costs a database read and one more round trip, never a wrong answer.

Without Redis (embedded mode), or when Redis cannot be reached, nothing is cached and
every call reads the database. Rows also expire after `TTL` seconds whatever happens.
"""

import logging
import secrets
import time
from dataclasses import dataclass
from typing import NamedTuple

import redis
from django.conf import settings
from django.db import transaction

from accounts.models import Account
from accounts.redis_client import redis_client

from . import keys
from .models import ApiKey
from .services import api_key_authenticate, api_key_matches

logger = logging.getLogger(__name__)

TTL = 60  # seconds a row is kept in process memory
TOKEN_TTL = 86400  # seconds a generation token lives in Redis when nothing changes
MAX_ROWS = 10_000

_KEY_FIELDS = [field.attname for field in ApiKey._meta.concrete_fields]
_ACCOUNT_FIELDS = [field.attname for field in Account._meta.concrete_fields]


def generation_key(lookup: str) -> str:
    return f"keygen:{lookup}"


class Guard(NamedTuple):
    """A Redis key and the value it must still hold for a cached row to be trusted."""

    key: str
    token: str


@dataclass(frozen=True)
class _Row:
    key_values: tuple
    account_values: tuple
    guard: Guard
    expires: float

    def build(self) -> ApiKey:
        """Fresh model instances for one request (never shared between requests)."""
        key = ApiKey.from_db("default", _KEY_FIELDS, list(self.key_values))
        key.account = Account.from_db("default", _ACCOUNT_FIELDS, list(self.account_values))
        return key


_rows: dict[str, _Row] = {}
UNREACHABLE = object()  # no token to be had: Redis is off or cannot be reached


def enabled() -> bool:
    return bool(settings.REDIS_URL)


def find(raw: str) -> tuple[ApiKey, Guard | None] | None:
    """The key `raw` is (with its account loaded), or None when it is no valid key.

    From memory, with the guard its caller must have Redis confirm (`Guard`), or read
    from the database just now, with no guard (None).
    """
    lookup = keys.lookup_of(raw)
    row = _rows.get(lookup)
    if row is not None and enabled() and row.expires > time.monotonic():
        key = row.build()
        if api_key_matches(key, raw):
            return key, row.guard
        # A wrong key, or a new key that drew the same lookup: the database decides.
    token = _current_token(lookup) if enabled() else UNREACHABLE  # before the row: see the docstring
    key = api_key_authenticate(raw)
    if key is None:
        return None
    if token is None:
        issue_token(lookup)  # a known key without a token: the next read may be cached
    elif token is not UNREACHABLE:
        _remember(key, token)
    return key, None


def _current_token(lookup: str) -> str | object | None:
    """The key's generation token, None when it has none, or UNREACHABLE."""
    try:
        return redis_client().get(generation_key(lookup))
    except redis.RedisError:
        logger.warning("Redis unreachable: API key %s… read from the database without caching", lookup)
        return UNREACHABLE


def issue_token(lookup: str) -> None:
    """Give a key that exists a generation token, unless it has one."""
    if not enabled():
        return
    try:
        redis_client().set(generation_key(lookup), secrets.token_hex(8), ex=TOKEN_TTL, nx=True)
    except redis.RedisError:
        logger.warning("Redis unreachable: API key %s… has no generation token yet", lookup)


def _remember(key: ApiKey, token: str) -> None:
    if len(_rows) >= MAX_ROWS:
        _rows.clear()
    _rows[key.lookup] = _Row(
        key_values=tuple(getattr(key, name) for name in _KEY_FIELDS),
        account_values=tuple(getattr(key.account, name) for name in _ACCOUNT_FIELDS),
        guard=Guard(generation_key(key.lookup), token),
        expires=time.monotonic() + TTL,
    )


def forget(lookup: str) -> None:
    _rows.pop(lookup, None)


def used(key: ApiKey) -> None:
    """After `key.touch()`: keep the cached row's `last_used` in step, so touch stays rare."""
    row = _rows.get(key.lookup)
    if row is not None:
        values = list(row.key_values)
        values[_KEY_FIELDS.index("last_used")] = key.last_used
        _rows[key.lookup] = _Row(tuple(values), row.account_values, row.guard, row.expires)


def invalidate(lookups: list[str]) -> None:
    """Every process's cached rows of these keys go stale: now, and again after commit."""
    if not lookups or not enabled():
        return
    for lookup in lookups:
        forget(lookup)
    _delete_tokens(lookups)
    transaction.on_commit(lambda: _delete_tokens(lookups))


def _delete_tokens(lookups: list[str]) -> None:
    try:
        redis_client().delete(*[generation_key(lookup) for lookup in lookups])
    except redis.RedisError:
        # Other processes keep their rows until TTL runs out.
        logger.exception("Redis unreachable: cached API keys %s stay valid up to %s s", lookups, TTL)


def invalidate_key(sender, instance: ApiKey, created: bool = False, **kwargs) -> None:
    """A new key gets its token at once (no process can hold its row yet); any other change voids it."""
    if created:
        issue_token(instance.lookup)
    else:
        invalidate([instance.lookup])


def invalidate_account(sender, instance: Account, **kwargs) -> None:
    if enabled():
        invalidate(list(ApiKey.objects.filter(account_id=instance.pk).values_list("lookup", flat=True)))
