"""Background work of the usage app: each task hands off to a service and is safe to run twice."""

import redis
from celery import shared_task
from django.db import DatabaseError

from .months import parse_month
from .services import RollupBusy, quota_warning_send, usage_flush, usage_rollup

RETRYABLE = (DatabaseError, redis.RedisError)


@shared_task(acks_late=True, autoretry_for=RETRYABLE, retry_backoff=5, retry_backoff_max=120, max_retries=5)
def usage_flush_task() -> int:
    return usage_flush()


@shared_task(
    acks_late=True,
    autoretry_for=(*RETRYABLE, RollupBusy),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=8,
)
def usage_rollup_task(month: str | None = None) -> list[str]:
    """Roll up `month` (YYYY-MM), or every month that is due."""
    months = [parse_month(month)] if month else None
    return [f"{done:%Y-%m}" for done in usage_rollup(months=months)]


@shared_task(acks_late=True, autoretry_for=RETRYABLE, retry_backoff=10, max_retries=5)
def send_quota_warning(account_id: int, month: str, percent: int) -> bool:
    return quota_warning_send(account_id=account_id, month=parse_month(month), percent=percent)
