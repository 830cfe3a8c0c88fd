from django.contrib import admin
from django.urls import include, path

from accounts.views import LoginView

admin.site.site_header = "Mailsac accounts: support"
admin.site.site_title = "Mailsac support"

urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="account_login"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
]

handler403 = "accounts.views.permission_denied"
handler404 = "accounts.views.page_not_found"
handler500 = "accounts.views.server_error"
