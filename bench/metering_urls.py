"""GET /bench/unmetered/me: the same endpoint and key check as /api/me, without metering or quota."""

from django.urls import path
from ninja import NinjaAPI

from apikeys.api import CurrentUserInfo, me
from apikeys.auth import MailsacKeyHeader
from apikeys.services import api_key_authenticate
from bench.urls import urlpatterns as bench_urlpatterns


class UnmeteredKeyHeader(MailsacKeyHeader):
    def authenticate(self, request, key):
        found = api_key_authenticate(key)
        if found is not None:
            found.touch()
            request.api_key = found
        return found


unmetered = NinjaAPI(auth=[UnmeteredKeyHeader()], urls_namespace="unmetered", docs_url=None, openapi_url=None)
unmetered.get("/me", response=CurrentUserInfo, by_alias=True)(me)

urlpatterns = [path("bench/unmetered/", unmetered.urls), *bench_urlpatterns]
