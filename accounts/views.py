from allauth.account.decorators import reauthentication_required
from allauth.account.views import LoginView as AllauthLoginView
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.http import require_http_methods

from .access import key_session_allowed
from .dashboard import dashboard_panels
from .deletion import account_deletion_request
from .forms import AccountDeletionForm, AccountDetailsForm


class LoginView(AllauthLoginView):
    """allauth's login, answering 429 once failed attempts hit the rate limit."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "too_many_login_attempts"):
            response.status_code = 429
        return response


@key_session_allowed
def home(request):
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    return render(request, "accounts/home.html")


@key_session_allowed
@login_required
def dashboard(request):
    return render(request, "accounts/dashboard.html", {"account": request.user, "panels": dashboard_panels(request)})


@login_required
@require_http_methods(["GET", "POST"])
def details(request):
    form = AccountDetailsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Account details saved.")
        return redirect("accounts:details")
    return render(request, "accounts/details.html", {"form": form, "account": request.user})


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def delete(request):
    form = AccountDeletionForm(request.POST or None, account=request.user)
    if request.method == "POST" and form.is_valid():
        account_deletion_request(account=request.user)
        logout(request)
        return redirect("accounts:deleted")
    return render(request, "accounts/delete.html", {"form": form, "account": request.user})


def deleted(request):
    return render(request, "accounts/deleted.html")


def permission_denied(request, exception=None):
    reason = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def too_many_requests(request, exception=None):
    return render(request, "429.html", status=429)


def server_error(request):
    # No request context: whatever failed (the database, a context processor) may fail again.
    return HttpResponseServerError(loader.get_template("500.html").render())
