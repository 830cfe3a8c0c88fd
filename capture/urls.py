from django.urls import path

from . import views

app_name = "forwarding"

urlpatterns = [
    path("", views.rule_list, name="list"),
    path("add/", views.add, name="add"),
    path("<int:pk>/remove/", views.remove, name="remove"),
]
