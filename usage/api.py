"""GET /api/usage: a month's operations by key and by service, and its message statistics."""

from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from .months import month_of, parse_month
from .reports import usage_report

router = Router(tags=["Usage"])


class KeyUsage(Schema):
    keyId: int | None = Field(..., description="The key's id; null for usage without a key.")
    keyName: str = Field(..., description="The key's name when the usage was counted (kept after deletion).")
    operations: int


class ServiceUsage(Schema):
    service: str = Field(..., description="api, capture, slack, webhook or websocket")
    label: str
    operations: int


class MessageStats(Schema):
    inboundMessages: int
    outboundMessages: int
    inboundBytes: int
    outboundBytes: int


class DomainStats(MessageStats):
    domain: str


class UsageOut(Schema):
    month: str = Field(..., description="YYYY-MM (UTC)")
    operations: int = Field(..., description="Operations in the month")
    apiMonthlyLimit: int = Field(..., description="The plan's monthly operations quota")
    byKey: list[KeyUsage]
    byService: list[ServiceUsage]
    messages: MessageStats = Field(..., description="Message statistics of the whole account")
    domains: list[DomainStats] = Field(..., description="Message statistics per custom domain")


def _stats(totals) -> dict:
    return {
        "inboundMessages": totals.inbound_messages,
        "outboundMessages": totals.outbound_messages,
        "inboundBytes": totals.inbound_bytes,
        "outboundBytes": totals.outbound_bytes,
    }


@router.get("/usage", response=UsageOut, summary="Get usage of a month", operation_id="GetUsage")
def usage(request, month: str | None = None):
    """Operations by key and by service, and message statistics by domain, for `month` (default: this one)."""
    chosen = None
    if month:
        try:
            chosen = parse_month(month)
        except ValueError as error:
            raise HttpError(400, str(error)) from None
        if chosen > month_of(timezone.now()):
            raise HttpError(400, "That month has not begun yet.")
    report = usage_report(account=request.auth.account, month=chosen)
    history = {item.month: item for item in report.history}
    domains = history[report.month].domains if report.month in history else []
    return {
        "month": f"{report.month:%Y-%m}",
        "operations": report.month_totals.operations,
        "apiMonthlyLimit": report.quota.limit,
        "byKey": [
            {"keyId": item.id, "keyName": item.name, "operations": item.totals.operations} for item in report.by_key
        ],
        "byService": [
            {"service": item.code, "label": item.name, "operations": item.totals.operations}
            for item in report.by_service
        ],
        "messages": _stats(report.month_totals),
        "domains": [{"domain": item.name, **_stats(item.totals)} for item in domains],
    }
