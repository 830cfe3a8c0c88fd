from allauth.account.views import LogoutView
from django.contrib import admin
from django.urls import include, path, re_path

from accounts.access import key_session_allowed
from accounts.views import LoginView
from apikeys.views import api_key_login
from mailsac_accounts.api import api, unknown_path

admin.site.site_header = "Mailsac accounts: support"
admin.site.site_title = "Mailsac support"

urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="account_login"),
    path("accounts/logout/", key_session_allowed(LogoutView.as_view()), name="account_logout"),
    path("api-key-login/", api_key_login, name="api_key_login"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    re_path(r"^api/(?P<path>.*)$", unknown_path),
    path("api-keys/", include("apikeys.urls")),
    path("usage/", include("usage.urls")),
    path("domains/", include("accounts.urls_domains")),
    path("domains/<str:name>/forwarding/", include("capture.urls")),
    path("billing/", include("accounts.urls_billing")),
    path("features/", include("accounts.urls_features")),
    path("", include("accounts.urls")),
]

handler403 = "accounts.views.permission_denied"
handler404 = "accounts.views.page_not_found"
handler500 = "accounts.views.server_error"
handler429 = "accounts.views.too_many_requests"
