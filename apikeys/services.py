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


def api_key_matches(key: ApiKey, raw: str) -> bool:
    """Does `raw` hash to `key`'s digest (a key already found by its lookup)?"""
    return hmac.compare_digest(keys.digest(raw), key.digest)


def api_key_login_check(*, account_id: str, key_name: str, api_key: str) -> ApiKey | None:
    """The key that API Key Login may sign in with, or None.

    Every failure (unknown account or name, wrong or deleted key, website login off,
    individual plan) does the same work: one query, one digest, one compare_digest.
    """
    key = (
        ApiKey.objects.select_related("account")
        .filter(account__username__iexact=account_id, name__iexact=key_name, account__is_active=True)
        .first()
    )
    presented = keys.digest(api_key)
    matches = hmac.compare_digest(presented, key.digest if key else keys.DUMMY_DIGEST)
    if key is None or not matches or not keys.is_well_formed(api_key):
        return None
    if not (key.website_login and key.account.is_team_plan):
        return None
    return key


class WebsiteLoginNotOnPlan(Exception):
    def __init__(self, account: Account):
        super().__init__(
            f"Website login by API key is a team plan feature; the {account.limits.label} plan is an individual plan."
        )


def api_key_set_website_login(*, key: ApiKey, enabled: bool) -> None:
    if enabled and not key.account.is_team_plan:
        raise WebsiteLoginNotOnPlan(key.account)
    key.website_login = enabled
    key.save(update_fields=["website_login"])


def api_keys_after_plan_change(*, account: Account) -> None:
    """On an individual plan no key may open website sessions."""
    if not account.is_team_plan:
        ApiKey.objects.filter(account=account, website_login=True).update(website_login=False)


DEMO_KEY_NAMES = {"individual": ["default"], "team": ["ci-staging", "production-worker", "alice laptop"]}


def api_keys_demo_seed(*, accounts: dict[str, Account]) -> None:
    """Named keys for the demo accounts, once. Their secrets are shown to nobody: they
    give the demo history its keys; generate a key on the page to try the API."""
    for role, names in DEMO_KEY_NAMES.items():
        account = accounts[role]
        if ApiKey.objects.filter(account=account).exists():
            continue
        for name in names:
            api_key_create(account=account, name=name)
    ApiKey.objects.filter(account=accounts["team"], name="alice laptop").update(website_login=True)
