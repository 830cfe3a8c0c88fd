from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    name = "apikeys"
    verbose_name = "API keys"

    def ready(self):
        from accounts.services import register_plan_change_check

        from .checks import refuse_downgrade_with_many_keys

        register_plan_change_check(refuse_downgrade_with_many_keys)

        from accounts.signals import plan_changed

        plan_changed.connect(self.after_plan_change, dispatch_uid="apikeys.after_plan_change")

        from accounts.dashboard import register_dashboard_panel

        from .dashboard import api_keys_panel

        register_dashboard_panel(api_keys_panel)

    @staticmethod
    def after_plan_change(sender, account, **kwargs):
        from .services import api_keys_after_plan_change

        api_keys_after_plan_change(account=account)
