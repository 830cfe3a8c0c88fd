"""The REST API's key check, in one place: header `Mailsac-Key` or query `_mailsacKey`."""

from ninja.security import APIKeyHeader, APIKeyQuery

from usage.services import GuardUnconfirmed, QuotaExceeded, api_call_record

from . import key_cache, keys
from .models import ApiKey


def authenticate_request(request, raw: str | None) -> ApiKey | None:
    """Check the key, then meter the call and check the quota.

    A key this process has read lately is checked in memory, and the one Redis round
    trip that meters the call confirms that the row is still current (`key_cache`).
    Otherwise: one indexed query, then that round trip.
    """
    if not raw or not keys.is_well_formed(raw):
        return None
    found = key_cache.find(raw)
    if found is None:
        return None
    key, guard = found
    try:
        quota = api_call_record(account=key.account, key=key, guard=guard)
    except GuardUnconfirmed as unconfirmed:
        # The cached row may be stale: the database decides. When Redis took the call
        # but its reply was lost, the call is counted already (`unconfirmed.quota`).
        key_cache.forget(key.lookup)
        found = key_cache.find(raw)
        if found is None:
            return None
        key, _ = found
        quota = unconfirmed.quota or api_call_record(account=key.account, key=key)
    if key.touch():
        key_cache.used(key)
    request.api_key = key
    request.quota = quota
    if quota.blocked:
        raise QuotaExceeded(quota)
    return key


class MailsacKeyHeader(APIKeyHeader):
    """API key in the `Mailsac-Key` header."""

    param_name = "Mailsac-Key"

    def authenticate(self, request, key):
        return authenticate_request(request, key)


class MailsacKeyQuery(APIKeyQuery):
    """API key in the `_mailsacKey` query parameter."""

    param_name = "_mailsacKey"

    def authenticate(self, request, key):
        return authenticate_request(request, key)


api_key_auth = [MailsacKeyHeader(), MailsacKeyQuery()]
