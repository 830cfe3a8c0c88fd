"""The REST API's key check, in one place: header `Mailsac-Key` or query `_mailsacKey`."""

from ninja.security import APIKeyHeader, APIKeyQuery

from .models import ApiKey
from .services import api_key_authenticate


def authenticate_request(request, raw: str | None) -> ApiKey | None:
    key = api_key_authenticate(raw)
    if key is None:
        return None
    key.touch()
    request.api_key = key
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
