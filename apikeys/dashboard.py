from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils.timesince import timesince

from .models import ApiKey


def api_keys_panel(request) -> dict:
    summary = ApiKey.objects.filter(account=request.user).aggregate(
        keys=Count("pk"), website=Count("pk", filter=Q(website_login=True)), last_used=Max("last_used")
    )
    account = request.user
    limit = "many allowed" if account.is_team_plan else "1 allowed"
    detail = f"{limit}; last used {timesince(summary['last_used'])} ago" if summary["last_used"] else limit
    if account.is_team_plan:
        detail += f"; {summary['website']} with website login"
    return {
        "label": "API keys",
        "value": summary["keys"],
        "detail": detail,
        "url": reverse("apikeys:list"),
        "link_text": "Manage keys",
    }
