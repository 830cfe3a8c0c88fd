"""The one Redis client factory: every app that talks to Redis gets its client here.

Short timeouts and no retries: a caller that cannot reach Redis must find out at
once and fall back (usage writes to the database), never hang or repeat a write.
"""

from functools import lru_cache

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry


def redis_client(url: str | None = None) -> redis.Redis:
    """A client for `url` (default `settings.REDIS_URL`), shared by the whole process."""
    url = url or settings.REDIS_URL
    if not url:
        raise RuntimeError("REDIS_URL is not set: this process runs embedded, without Redis.")
    return _client(url, settings.REDIS_SOCKET_TIMEOUT)


@lru_cache(maxsize=8)
def _client(url: str, timeout: float) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), retries=0),
        decode_responses=True,
        health_check_interval=30,
    )
