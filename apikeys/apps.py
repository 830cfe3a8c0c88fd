from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    name = "apikeys"
    verbose_name = "API keys"

    def ready(self):
        from accounts.services import register_plan_change_check

        from .checks import refuse_downgrade_with_many_keys

        register_plan_change_check(refuse_downgrade_with_many_keys)
