"""What account deletion removes from Redis: every key the usage app keeps for the account.

The database rows (buckets, monthly statistics) go with the account row by cascade.
"""

from django.conf import settings

from accounts.redis_client import redis_client

from . import redis_keys


def usage_purge_account(account_pk: int) -> None:
    """Idempotent: deleting what is already gone changes nothing."""
    if not settings.REDIS_URL:
        return
    client = redis_client()
    doomed = [key for pattern in redis_keys.account_keys(account_pk) for key in client.scan_iter(match=pattern)]
    bucket_pattern = redis_keys.BUCKET_PATTERN.format(account_id=account_pk)
    members = [member for member, _ in client.zscan_iter(redis_keys.BUCKETS, match=bucket_pattern)]
    with client.pipeline(transaction=True) as pipe:
        if doomed:
            pipe.delete(*doomed)
        if members:
            pipe.zrem(redis_keys.BUCKETS, *members)
        pipe.execute()
