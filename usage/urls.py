from django.urls import path

from . import views

app_name = "usage"

urlpatterns = [
    path("", views.page, name="page"),
    path("export.csv", views.export_csv, name="export"),
]
