from accounts.models import Account, PlanLimits

from .models import ApiKey


def refuse_downgrade_with_many_keys(account: Account, limits: PlanLimits) -> str | None:
    if limits.max_keys is None:
        return None
    count = ApiKey.objects.filter(account=account).count()
    if count > limits.max_keys:
        return (
            f"The {limits.label} plan holds {limits.max_keys} API key and this account holds {count}: "
            f"delete {count - limits.max_keys} first."
        )
    return None
