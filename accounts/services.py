from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import domain_dns
from .models import Account, Domain, Plan, PlanChange, PlanLimits
from .signals import plan_changed


class PlanChangeRefused(Exception):
    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__(" ".join(reasons))


# Apps above `accounts` register checks that may refuse a plan change (for example
# "this account holds 3 API keys"); a check returns a reason, or None to allow it.
PlanChangeCheck = Callable[[Account, PlanLimits], str | None]
_plan_change_checks: list[PlanChangeCheck] = []


def register_plan_change_check(check: PlanChangeCheck) -> PlanChangeCheck:
    if check not in _plan_change_checks:
        _plan_change_checks.append(check)
    return check


def account_plan_change_problems(*, account: Account, plan: str) -> list[str]:
    limits = PlanLimits.of(plan)
    return [reason for check in _plan_change_checks if (reason := check(account, limits))]


@transaction.atomic
def account_change_plan(*, account: Account, plan: str) -> Account:
    """Move an account to `plan`, refusing a change its current holdings do not fit."""
    if plan not in Plan.values:
        raise PlanChangeRefused([f'"{plan}" is not a plan. Plans: {", ".join(Plan.values)}.'])
    # The lock serialises this with key and domain creation, which lock the same row.
    account = Account.objects.select_for_update().get(pk=account.pk)
    problems = account_plan_change_problems(account=account, plan=plan)
    if problems:
        raise PlanChangeRefused(problems)
    old_plan = account.plan
    if old_plan == plan:
        return account
    account.plan = plan
    account.save(update_fields=["plan"])
    PlanChange.objects.create(account=account, old_plan=old_plan, new_plan=plan)
    transaction.on_commit(lambda: plan_changed.send(sender=Account, account=account, old_plan=old_plan, new_plan=plan))
    return account


def domains_fit_plan(account: Account, limits: PlanLimits) -> str | None:
    """A plan change check: the account's custom domains must fit the new plan."""
    held = account.domains.count()
    if held <= limits.domains:
        return None
    allowed = f"allows {limits.domains}" if limits.domains else "includes no custom domains"
    return (
        f"This account holds {held} custom domain{'s' if held != 1 else ''}; the {limits.label} plan {allowed}. "
        f"Remove {held - limits.domains} first."
    )


register_plan_change_check(domains_fit_plan)


class DomainRefused(Exception):
    """A domain cannot be added; the message says why, for the person adding it."""


@transaction.atomic
def domain_add(*, account: Account, name: str) -> Domain:
    """Add `name` (already normalised, see validators.domain_name_normalize) to the account."""
    # The lock serialises this with plan changes and other additions on the same account.
    account = Account.objects.select_for_update().get(pk=account.pk)
    if account.domains.filter(name=name).exists():
        raise DomainRefused("You have already added this domain.")
    if Domain.objects.filter(name=name).exists():
        # Whose it is stays private.
        raise DomainRefused("That domain is already registered to an account.")
    limit = account.limits.domains
    if account.domains.count() >= limit:
        if limit == 0:
            raise DomainRefused(f"The {account.limits.label} plan includes no custom domains. Upgrade to add one.")
        raise DomainRefused(
            f"The {account.limits.label} plan holds {limit} custom domain{'s' if limit != 1 else ''}. "
            "Remove one or upgrade to add another."
        )
    try:
        with transaction.atomic():
            return Domain.objects.create(account=account, name=name)
    except IntegrityError:
        # Another account claimed it between the check and the insert.
        raise DomainRefused("That domain is already registered to an account.") from None


@transaction.atomic
def domain_remove(*, domain: Domain) -> None:
    """Remove a domain. Its message statistics stay: usage rows keep the name, not a foreign key."""
    Domain.objects.filter(pk=domain.pk).delete()


def domain_verify(*, domain_id: int) -> Domain | None:
    """Look up the domain's TXT records and mark it verified when the token is there.

    Not one transaction on purpose: no row stays locked during a DNS query. The
    update is one statement that only ever moves a domain from pending to
    verified, so running it twice, or at once, is harmless. None when the
    domain is gone.
    """
    domain = Domain.objects.filter(pk=domain_id).first()
    if domain is None or domain.verified:
        return domain
    try:
        values = domain_dns.txt_values(domain.name)
    except domain_dns.LookupFailed as failure:
        problem = str(failure)
    else:
        problem = "" if domain.verification_txt in values else domain_dns.describe_missing(domain, values)
    now = timezone.now()
    pending = Domain.objects.filter(pk=domain.pk, verified_at__isnull=True)
    if problem:
        pending.update(last_checked_at=now, last_check_error=problem[:300], updated=now)
    else:
        pending.update(verified_at=now, last_checked_at=now, last_check_error="", updated=now)
    return Domain.objects.filter(pk=domain.pk).first()


@transaction.atomic
def account_set_features(*, account: Account, quota_warning_emails: bool, overage_allowed: bool) -> Account:
    account = Account.objects.select_for_update().get(pk=account.pk)
    account.quota_warning_emails = quota_warning_emails
    account.overage_allowed = overage_allowed
    account.save(update_fields=["quota_warning_emails", "overage_allowed"])
    return account
