from django.urls import path

from . import views_domains

app_name = "domains"

urlpatterns = [
    path("", views_domains.domain_list, name="list"),
    path("add/", views_domains.add, name="add"),
    path("<str:name>/verify/", views_domains.verify, name="verify"),
    path("<str:name>/remove/", views_domains.remove, name="remove"),
]
