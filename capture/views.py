"""Forwarding rules of a custom domain: list (a key session may view it), add, remove."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import is_key_session, key_session_allowed
from accounts.models import Domain

from .forms import ForwardingRuleForm
from .models import Delivery, ForwardingRule
from .services import MAX_RULES_PER_DOMAIN, RuleRefused, forwarding_rule_create, forwarding_rule_delete

RECENT_DELIVERIES = 20


def render_list(request, domain, form, status=200):
    context = {
        "domain": domain,
        "rules": ForwardingRule.objects.filter(domain=domain).select_related("domain"),
        "deliveries": Delivery.objects.filter(rule__domain=domain)
        .select_related("message")
        .order_by("-created", "-pk")[:RECENT_DELIVERIES],
        "form": form,
        "can_manage": not is_key_session(request),
        "max_rules": MAX_RULES_PER_DOMAIN,
        "websocket_url": settings.WEBSOCKET_URL,
        "smtp": {
            "host": settings.SMTP_PUBLIC_HOST,
            "capture_port": settings.SMTP_CAPTURE_PORT,
            "inbound_port": settings.SMTP_INBOUND_PORT,
        },
    }
    return render(request, "capture/forwarding.html", context, status=status)


@key_session_allowed
@login_required
@require_GET
def rule_list(request, name):
    domain = get_object_or_404(Domain, name=name, account=request.user)
    return render_list(request, domain, ForwardingRuleForm(domain=domain))


@login_required
@require_POST
def add(request, name):
    domain = get_object_or_404(Domain, name=name, account=request.user)
    form = ForwardingRuleForm(request.POST, domain=domain)
    if form.is_valid():
        data = form.cleaned_data
        try:
            rule = forwarding_rule_create(domain=domain, local_part=data["address"], kind=data["kind"], url=data["url"])
        except RuleRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Mail for {rule.pattern} is now forwarded to {rule.get_kind_display()}.")
            return redirect("forwarding:list", name=domain.name)
    return render_list(request, domain, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def remove(request, name, pk):
    rule = get_object_or_404(
        ForwardingRule.objects.select_related("domain"), pk=pk, domain__name=name, domain__account=request.user
    )
    if request.method == "POST":
        forwarding_rule_delete(rule=rule)
        messages.success(request, f"Removed the {rule.get_kind_display()} rule for {rule.pattern}.")
        return redirect("forwarding:list", name=rule.domain.name)
    return render(request, "capture/rule_remove.html", {"rule": rule})
