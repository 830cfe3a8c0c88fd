"""The product's navigation: one list, shown in the header and on the dashboard.

An entry whose URL does not exist (yet) is left out, and so is any page a
restricted key session may not open, so no link leads to a 403.
"""

from django.urls import NoReverseMatch, resolve, reverse

from accounts.access import allows_key_session, is_key_session

NAV_ITEMS = [
    ("accounts:dashboard", "Dashboard", "Your plan and everything below at a glance."),
    ("apikeys:list", "API Keys and Users", "Create, name and delete API keys; website login per key."),
    ("usage:page", "API Usage", "Operations this month, by key and service; message statistics."),
    ("domains:list", "Custom domains", "Add and verify your own domains."),
    ("billing:page", "Billing", "Plan, invoice contact and invoices."),
    ("features:page", "Account features", "Compare plans, change plan, quota options."),
    ("accounts:details", "Account details", "Account and invoice email, company name and address, password."),
]


def nav_items(request) -> list[dict]:
    key_session = is_key_session(request)
    items = []
    for name, label, description in NAV_ITEMS:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        if key_session and not allows_key_session(resolve(url).func):
            continue
        items.append(
            {
                "url": url,
                "label": label,
                "description": description,
                "current": request.path.startswith(url),
            }
        )
    return items


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": nav_items(request)}
