"""Account features: the plans side by side, plan change and the quota switches."""

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from .forms import AccountFeaturesForm, PlanChangeForm
from .models import Plan, PlanLimits
from .services import PlanChangeRefused, account_change_plan, account_set_features


def render_page(request, *, plan_form=None, features_form=None):
    account = request.user
    context = {
        "account": account,
        "plans": [PlanLimits.of(plan) for plan in Plan.values],
        "plan_form": plan_form or PlanChangeForm(account=account),
        "features_form": features_form or AccountFeaturesForm(instance=account),
        "overage_price_cents": settings.OVERAGE_PRICE_CENTS_PER_1000,
    }
    return render(request, "accounts/features.html", context)


@login_required
@require_GET
def page(request):
    return render_page(request)


@login_required
@require_POST
@reauthentication_required
def change_plan(request):
    form = PlanChangeForm(request.POST, account=request.user)
    if form.is_valid():
        try:
            account = account_change_plan(account=request.user, plan=form.cleaned_data["plan"])
        except PlanChangeRefused as refused:
            form.add_error("plan", refused.reasons)
        else:
            messages.success(request, f"You are now on the {account.get_plan_display()} plan.")
            return redirect("features:page")
    return render_page(request, plan_form=form)


@login_required
@require_POST
@reauthentication_required
def switches(request):
    form = AccountFeaturesForm(request.POST, instance=request.user)
    if form.is_valid():
        account_set_features(
            account=request.user,
            quota_warning_emails=form.cleaned_data["quota_warning_emails"],
            overage_allowed=form.cleaned_data["overage_allowed"],
        )
        messages.success(request, "Account features saved.")
        return redirect("features:page")
    return render_page(request, features_form=form)
