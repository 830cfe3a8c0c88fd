from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    name = "apikeys"
    verbose_name = "API keys"

    def ready(self):
        from accounts.dashboard import register_dashboard_panel
        from accounts.services import register_plan_change_check
        from accounts.signals import demo_seeded, plan_changed

        from .checks import refuse_downgrade_with_many_keys
        from .dashboard import api_keys_panel

        register_plan_change_check(refuse_downgrade_with_many_keys)
        register_dashboard_panel(api_keys_panel)
        plan_changed.connect(after_plan_change, dispatch_uid="apikeys.after_plan_change")
        # Connected before usage's receiver, so the demo history is counted per key.
        demo_seeded.connect(seed_demo_keys, dispatch_uid="apikeys.seed_demo_keys")


def after_plan_change(sender, account, **kwargs):
    from .services import api_keys_after_plan_change

    api_keys_after_plan_change(account=account)


def seed_demo_keys(sender, accounts, **kwargs):
    from .services import api_keys_demo_seed

    api_keys_demo_seed(accounts=accounts)
