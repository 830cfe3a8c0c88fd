import hmac

from django.db import IntegrityError, transaction

from accounts.models import Account

from . import keys
from .models import ApiKey


class KeyLimitReached(Exception):
    def __init__(self, account: Account):
        self.account = account
        plan = account.limits.label
        super().__init__(
            f"Your {plan} plan holds one API key, and this account already has it. "
            "Delete it to create a new one, or move to a team plan (Business or Enterprise) "
            "to create many named keys."
        )


class KeyNameTaken(Exception):
    def __init__(self, name: str):
        super().__init__(f'This account already has a key named "{name}". Key names are unique, whatever the case.')


def api_key_name_taken(*, account: Account, name: str, exclude_pk: int | None = None) -> bool:
    return ApiKey.objects.filter(account=account, name__iexact=name).exclude(pk=exclude_pk).exists()


@transaction.atomic
def api_key_create(*, account: Account, name: str) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which exists only in this return value."""
    # Locking the account row makes count-then-insert safe against concurrent creates.
    account = Account.objects.select_for_update().get(pk=account.pk)
    max_keys = account.limits.max_keys
    if max_keys is not None and ApiKey.objects.filter(account=account).count() >= max_keys:
        raise KeyLimitReached(account)
    if api_key_name_taken(account=account, name=name):
        raise KeyNameTaken(name)
    for _ in range(5):
        secret = keys.generate()
        try:
            with transaction.atomic():
                key = ApiKey.objects.create(
                    account=account, name=name, lookup=keys.lookup_of(secret), digest=keys.digest(secret)
                )
        except IntegrityError:
            # A lookup identifier collision (1 in 62^8): draw again.
            continue
        return key, secret
    raise RuntimeError("Could not draw a unique API key identifier.")


def api_key_delete(*, key: ApiKey) -> None:
    key.delete()


def api_key_authenticate(raw: str | None) -> ApiKey | None:
    """The key check: format and checksum offline, one indexed query, compare_digest.

    Returns the key with its account loaded, or None. A miss does the same digest work.
    """
    if not raw or not keys.is_well_formed(raw):
        return None
    presented = keys.digest(raw)
    try:
        key = ApiKey.objects.select_related("account").get(lookup=keys.lookup_of(raw), account__is_active=True)
    except ApiKey.DoesNotExist:
        hmac.compare_digest(presented, keys.DUMMY_DIGEST)
        return None
    if not hmac.compare_digest(presented, key.digest):
        return None
    return key
