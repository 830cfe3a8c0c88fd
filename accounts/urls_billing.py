from django.urls import path

from . import views_billing

app_name = "billing"

urlpatterns = [
    path("", views_billing.page, name="page"),
    path("invoices/<str:number>/", views_billing.invoice, name="invoice"),
    path("invoices/<str:number>/download/", views_billing.download, name="invoice_download"),
]
