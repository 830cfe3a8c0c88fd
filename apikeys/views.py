from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import is_key_session, key_session_allowed

from .forms import ApiKeyCreateForm
from .models import ApiKey
from .services import KeyLimitReached, KeyNameTaken, api_key_create, api_key_delete


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
