"""Background work of Email Capture: forwards and retention. Each task takes ids and is safe to run twice."""

import random

from celery import shared_task
from django.conf import settings

from .services import delivery_attempt, delivery_give_up, messages_purge


def retry_countdown(retries: int) -> float:
    """Exponential backoff with full jitter: base * 2^retries, at most an hour."""
    ceiling = min(settings.FORWARD_RETRY_BACKOFF * 2**retries, 3600)
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not a secret


@shared_task(bind=True, acks_late=True, max_retries=None)
def forward_deliver(self, delivery_id: int) -> str:
    """Send one forward; on a temporary failure try again later, up to FORWARD_MAX_RETRIES times."""
    attempt = delivery_attempt(delivery_id=delivery_id)
    retries = self.request.retries
    if self.request.is_eager:
        # In process (embedded mode) no worker comes back later: the retries run now, one after another.
        while attempt.retry and retries < settings.FORWARD_MAX_RETRIES:
            retries += 1
            attempt = delivery_attempt(delivery_id=delivery_id)
    if not attempt.retry:
        return "done"
    if retries >= settings.FORWARD_MAX_RETRIES:
        delivery_give_up(delivery_id=delivery_id, error=attempt.error)
        return "failed"
    raise self.retry(countdown=retry_countdown(retries))


@shared_task(acks_late=True)
def messages_purge_old() -> int:
    """Delete captured messages older than CAPTURE_RETENTION_DAYS (beat, daily)."""
    return messages_purge(older_than_days=settings.CAPTURE_RETENTION_DAYS)
