from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    name = "apikeys"
    verbose_name = "API keys"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from accounts.dashboard import register_dashboard_panel
        from accounts.services import register_plan_change_check
        from accounts.signals import demo_seeded, plan_changed

        from . import key_cache
        from .checks import refuse_downgrade_with_many_keys
        from .dashboard import api_keys_panel
        from .models import ApiKey

        register_plan_change_check(refuse_downgrade_with_many_keys)
        register_dashboard_panel(api_keys_panel)
        plan_changed.connect(after_plan_change, dispatch_uid="apikeys.after_plan_change")
        # Connected before usage's receiver, so the demo history is counted per key.
        demo_seeded.connect(seed_demo_keys, dispatch_uid="apikeys.seed_demo_keys")
        # Any change to a key or its account makes every process's cached copy stale.
        for signal in (post_save, post_delete):
            signal.connect(key_cache.invalidate_key, sender=ApiKey, dispatch_uid=f"apikeys.cache.key.{signal}")
            signal.connect(
                key_cache.invalidate_account, sender=get_user_model(), dispatch_uid=f"apikeys.cache.account.{signal}"
            )


def after_plan_change(sender, account, **kwargs):
    from .services import api_keys_after_plan_change

    api_keys_after_plan_change(account=account)


def seed_demo_keys(sender, accounts, **kwargs):
    from .services import api_keys_demo_seed

    api_keys_demo_seed(accounts=accounts)
