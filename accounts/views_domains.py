"""Custom domains: list, add, verify by DNS, remove."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .access import is_key_session, key_session_allowed
from .forms import DomainAddForm
from .models import Domain
from .services import DomainRefused, domain_add, domain_remove, domain_verify


def render_list(request, form, status=200):
    account = request.user
    context = {
        "account": account,
        "domains": account.domains.order_by("name"),
        "form": form,
        "can_manage": not is_key_session(request),
    }
    return render(request, "accounts/domains.html", context, status=status)


@key_session_allowed
@login_required
@require_GET
def domain_list(request):
    return render_list(request, DomainAddForm())


@login_required
@require_POST
def add(request):
    form = DomainAddForm(request.POST)
    if form.is_valid():
        try:
            domain = domain_add(account=request.user, name=form.cleaned_data["name"])
        except DomainRefused as refused:
            form.add_error("name", str(refused))
        else:
            messages.success(request, f"Added {domain.display_name}. Publish the TXT record below, then verify.")
            return redirect(reverse("domains:list") + f"#domain-{domain.pk}")
    return render_list(request, form)


@login_required
@require_POST
def verify(request, name):
    domain = get_object_or_404(Domain, name=name, account=request.user)
    domain = domain_verify(domain_id=domain.pk)
    if domain is None:  # removed meanwhile, in another tab
        return redirect("domains:list")
    if domain.verified:
        messages.success(request, f"{domain.display_name} is verified.")
    else:
        messages.error(request, f"{domain.display_name} is not verified yet: {domain.last_check_error}")
    return redirect(reverse("domains:list") + f"#domain-{domain.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def remove(request, name):
    domain = get_object_or_404(Domain, name=name, account=request.user)
    if request.method == "POST":
        domain_remove(domain=domain)
        messages.success(request, f"Removed {domain.display_name}. Its message statistics stay on the usage page.")
        return redirect("domains:list")
    return render(request, "accounts/domain_remove.html", {"domain": domain})
