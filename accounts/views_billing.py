"""Payment information: plan, invoice contact, invoice history and each invoice."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import payments
from .billing import invoice_context
from .models import Invoice


@login_required
@require_GET
def page(request):
    account = request.user
    context = {
        "account": account,
        "payment_method": payments.method_for(account),
        "invoices": account.invoices.order_by("-period"),
        "overage_price_cents": settings.OVERAGE_PRICE_CENTS_PER_1000,
        "today": timezone.now().date(),
    }
    return render(request, "accounts/billing.html", context)


@login_required
@require_GET
def invoice(request, number):
    invoice = get_object_or_404(Invoice, number=number, account=request.user)
    return render(request, "accounts/invoice.html", invoice_context(invoice))


@login_required
@require_GET
def download(request, number):
    """The invoice as a standalone HTML file, to keep or print."""
    invoice = get_object_or_404(Invoice, number=number, account=request.user)
    response = HttpResponse(
        render_to_string("accounts/invoice_document.html", invoice_context(invoice)),
        content_type="text/html; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="invoice-{invoice.number}.html"'
    return response
