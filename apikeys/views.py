from allauth.account.decorators import reauthentication_required
from allauth.core.ratelimit import consume_or_429
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import is_key_session, key_session_allowed

from .forms import ApiKeyCreateForm, ApiKeyLoginForm, WebsiteLoginForm
from .middleware import start_key_session
from .models import ApiKey
from .services import (
    KeyLimitReached,
    KeyNameTaken,
    WebsiteLoginNotOnPlan,
    api_key_create,
    api_key_delete,
    api_key_login_check,
    api_key_set_website_login,
)

# One answer for every failure, whatever was wrong.
KEY_LOGIN_FAILED = (
    "These details do not sign in. Check the Account ID, the key name and the key, and that "
    "website login is switched on for this key."
)


def render_list(request, form, status=200):
    account = request.user
    keys = ApiKey.objects.filter(account=account)
    context = {
        "account": account,
        "keys": keys,
        "form": form,
        "can_add": not is_key_session(request) and (account.is_team_plan or not keys),
        "manage": not is_key_session(request),
    }
    return render(request, "apikeys/list.html", context, status=status)


@key_session_allowed
@login_required
def key_list(request):
    return render_list(request, ApiKeyCreateForm())


@login_required
@require_POST
@never_cache
def create(request):
    form = ApiKeyCreateForm(request.POST)
    if form.is_valid():
        try:
            key, secret = api_key_create(account=request.user, name=form.cleaned_data["name"])
        except KeyNameTaken as refused:
            form.add_error("name", str(refused))
        except KeyLimitReached as refused:
            form.add_error(None, str(refused))
        else:
            return render(request, "apikeys/created.html", {"key": key, "secret": secret})
    return render_list(request, form, status=400)


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def delete(request, pk):
    key = get_object_or_404(ApiKey, pk=pk, account=request.user)
    if request.method == "POST":
        api_key_delete(key=key)
        messages.success(request, f'API key "{key.name}" deleted. It no longer works anywhere.')
        return redirect("apikeys:list")
    return render(request, "apikeys/delete.html", {"key": key})


@login_required
@require_POST
def website_login(request, pk):
    key = get_object_or_404(ApiKey.objects.select_related("account"), pk=pk, account=request.user)
    form = WebsiteLoginForm(request.POST)
    if form.is_valid():
        enabled = form.cleaned_data["enabled"]
        try:
            api_key_set_website_login(key=key, enabled=enabled)
        except WebsiteLoginNotOnPlan as refused:
            messages.error(request, str(refused))
            return redirect("apikeys:list")
        state = "on" if enabled else "off: its website sessions have ended"
        messages.success(request, f'Website login for "{key.name}" is {state}.')
    return redirect("apikeys:list")


@sensitive_post_parameters("api_key")
@never_cache
@require_http_methods(["GET", "POST"])
def api_key_login(request):
    form = ApiKeyLoginForm(request.POST or None)
    if request.method == "POST":
        valid = form.is_valid()
        account_id = form.cleaned_data["account_id"].lower() if valid else ""
        if limited := consume_or_429(request, action="api_key_login", key=account_id):
            return limited
        key = api_key_login_check(**form.cleaned_data) if valid else None
        if key is not None:
            start_key_session(request, key)
            messages.success(request, f'Signed in to {key.account.username} with the API key "{key.name}".')
            return redirect("accounts:dashboard")
        if valid:
            form.add_error(None, KEY_LOGIN_FAILED)
    return render(request, "apikeys/login.html", {"form": form})
