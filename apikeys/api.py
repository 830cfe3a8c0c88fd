from django.db.models import Count
from django.utils import timezone
from ninja import Field, Router, Schema

from usage.months import month_of, previous_month
from usage.services import operations_in_month

from .stats import stats_from_sources

router = Router(tags=["Account"])


class CurrentUserInfo(Schema):
    """Mailsac's CurrentUserInfo, with the fields this service keeps, plus `plan`."""

    id: str = Field(..., alias="_id", description="Account ID")
    email: str
    invoiceEmail: str
    company: str
    address: str
    apiKeyName: str
    moAPICount: int = Field(..., description="Operations this month")
    apiMonthlyLimit: int
    moAPIDisabled: int = Field(..., description="1 when API calls are blocked for the rest of the month")
    manyKeys: int = Field(..., description="1 on a team plan (many named keys)")
    allowMultipleUsers: int
    lastLogin: str | None = Field(None, description="ISO date-time of the last website login")
    plan: str


class CurrentUserStats(Schema):
    addresses: list[str] = Field(..., description="Reserved addresses: none here, any address can be captured")
    domains: list[str] = Field(..., description="The account's custom domains")
    starredMessages: int = Field(..., description="Always 0: captured messages are not starred")
    storedMessages: int = Field(..., description="Messages the Email Capture service holds for the account")
    inboxBytes: int = Field(..., description="Bytes of those messages")
    lastMonthOps: int = Field(..., description="Operations last month (UTC)")
    keyCount: int


def operations_this_month(request) -> tuple[int, int, bool]:
    """(used, limit, blocked) from the quota state the key check recorded, when metering is on."""
    account = request.auth.account
    quota = getattr(request, "quota", None)
    if quota is None:
        return 0, account.limits.quota, False
    return quota.used, quota.limit, quota.blocked


@router.get("/me", response=CurrentUserInfo, by_alias=True, summary="Get current account")
def me(request):
    key = request.auth
    account = key.account
    used, limit, blocked = operations_this_month(request)
    return {
        "_id": account.username,
        "email": account.email,
        "invoiceEmail": account.invoice_email,
        "company": account.invoice_company,
        "address": account.invoice_address,
        "apiKeyName": key.name,
        "moAPICount": used,
        "apiMonthlyLimit": limit,
        "moAPIDisabled": int(blocked),
        "manyKeys": int(account.is_team_plan),
        "allowMultipleUsers": int(account.is_team_plan),
        "lastLogin": account.last_login.isoformat() if account.last_login else None,
        "plan": account.plan,
    }


@router.get("/me/stats", response=CurrentUserStats, summary="Get account stats")
def me_stats(request):
    account = request.auth.account
    key_count = account.api_keys.aggregate(n=Count("pk"))["n"]
    last_month = previous_month(month_of(timezone.now()))
    return {
        "addresses": [],
        "domains": list(account.domains.order_by("name").values_list("name", flat=True)),
        "starredMessages": 0,
        "storedMessages": 0,
        "inboxBytes": 0,
        "lastMonthOps": operations_in_month(account.pk, last_month.year, last_month.month),
        "keyCount": key_count,
        **stats_from_sources(account),
    }
