from django.urls import path

from . import views_features

app_name = "features"

urlpatterns = [
    path("", views_features.page, name="page"),
    path("plan/", views_features.change_plan, name="plan"),
    path("switches/", views_features.switches, name="switches"),
]
