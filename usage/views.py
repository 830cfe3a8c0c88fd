import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import key_session_allowed

from .chart import bar_chart
from .forms import MonthForm
from .reports import usage_report

CSV_COLUMNS = [
    "month",
    "key",
    "domain",
    "service",
    "operations",
    "inbound_messages",
    "outbound_messages",
    "inbound_bytes",
    "outbound_bytes",
]


@key_session_allowed
@login_required
@require_GET
def page(request):
    form = MonthForm(request.GET)
    month = form.cleaned_data["month"] if form.is_valid() else None
    report = usage_report(account=request.user, month=month)
    chart = bar_chart(
        [
            (f"{item.month:%b}", f"{item.month:%Y}", item.totals.operations, item.month == report.current_month)
            for item in report.chart
        ],
        limit=report.quota.limit,
    )
    context = {"report": report, "form": form, "chart": chart, "account": request.user}
    return render(request, "usage/page.html", context, status=400 if form.errors else 200)


@key_session_allowed
@login_required
@require_GET
def export_csv(request):
    form = MonthForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(form.errors["month"]), content_type="text/plain")
    month = form.cleaned_data["month"]
    report = usage_report(account=request.user)
    rows = [row for row in report.rows if month is None or row.month == month]
    name = (
        f"mailsac-usage-{request.user.username}-{month:%Y-%m}.csv"
        if month
        else f"mailsac-usage-{request.user.username}.csv"
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                f"{row.month:%Y-%m}",
                _cell(row.key_name),
                _cell(row.domain_name),
                row.service,
                row.operations,
                row.inbound_messages,
                row.outbound_messages,
                row.inbound_bytes,
                row.outbound_bytes,
            ]
        )
    return response


def _cell(text: str) -> str:
    """A name as a spreadsheet shows it, never as a formula it would run."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
