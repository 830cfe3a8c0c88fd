from collections.abc import Callable

from django.db import transaction

from .models import Account, Plan, PlanLimits
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
    transaction.on_commit(lambda: plan_changed.send(sender=Account, account=account, old_plan=old_plan, new_plan=plan))
    return account
