"""GET /bench/unmetered/me: the same endpoint and key check as /api/me, without metering or quota.

The key check is the REST API's own (`apikeys.key_cache`): a cached key is vouched for by
one Redis round trip, which /api/me shares with metering; here it is a plain GET of the
key's generation token instead, so the difference between the two is metering alone.
"""

from django.urls import path
from ninja import NinjaAPI

from accounts.redis_client import redis_client
from apikeys import key_cache, keys
from apikeys.api import CurrentUserInfo, me
from apikeys.auth import MailsacKeyHeader
from apikeys.services import api_key_authenticate
from bench.urls import urlpatterns as bench_urlpatterns


class UnmeteredKeyHeader(MailsacKeyHeader):
    def authenticate(self, request, key):
        found = key_cache.find(key) if key and keys.is_well_formed(key) else None
        if found is None:
            return None
        checked, guard = found
        if guard is not None and redis_client().get(guard.key) != guard.token:
            checked = api_key_authenticate(key)
        if checked is not None and checked.touch():
            key_cache.used(checked)
        request.api_key = checked
        return checked


unmetered = NinjaAPI(auth=[UnmeteredKeyHeader()], urls_namespace="unmetered", docs_url=None, openapi_url=None)
unmetered.get("/me", response=CurrentUserInfo, by_alias=True)(me)

urlpatterns = [path("bench/unmetered/", unmetered.urls), *bench_urlpatterns]
