"""The REST API's key check, in one place: header `Mailsac-Key` or query `_mailsacKey`."""

from ninja.security import APIKeyHeader, APIKeyQuery

from usage.services import QuotaExceeded, api_call_record

from .models import ApiKey
from .services import api_key_authenticate


def authenticate_request(request, raw: str | None) -> ApiKey | None:
    """Check the key, then meter the call and check the quota (one Redis round trip)."""
    key = api_key_authenticate(raw)
    if key is None:
        return None
    key.touch()
    request.api_key = key
    request.quota = api_call_record(account=key.account, key=key)
    if request.quota.blocked:
        raise QuotaExceeded(request.quota)
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
