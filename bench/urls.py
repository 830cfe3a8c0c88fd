from django.http import JsonResponse
from django.urls import path

from mailsac_accounts.urls import urlpatterns as project_urlpatterns


def plain(request):
    """The baseline: the same server and middleware, no key check, no database."""
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/plain", plain), *project_urlpatterns]
