from django.apps import AppConfig


class UsageConfig(AppConfig):
    name = "usage"
    verbose_name = "Usage"

    def ready(self):
        from accounts.billing import register_usage_source
        from accounts.dashboard import register_dashboard_panel
        from accounts.deletion import register_purge_step
        from accounts.signals import demo_seeded

        from .dashboard import usage_panel
        from .purge import usage_purge_account
        from .services import operations_in_month

        register_usage_source(operations_in_month)
        register_dashboard_panel(usage_panel)
        register_purge_step("usage", usage_purge_account)
        demo_seeded.connect(_seed_demo_usage, dispatch_uid="usage_demo_seed")


def _seed_demo_usage(sender, accounts, **kwargs):
    from .demo import usage_demo_seed

    usage_demo_seed(accounts=accounts)
