from django.apps import AppConfig


class CaptureConfig(AppConfig):
    name = "capture"
    verbose_name = "Email Capture"

    def ready(self):
        from accounts.dashboard import register_dashboard_panel
        from accounts.deletion import register_purge_step
        from accounts.signals import demo_seeded
        from apikeys.stats import register_stats_source

        from .dashboard import capture_panel
        from .services import capture_account_stats, capture_purge_account

        register_purge_step("capture", capture_purge_account)
        register_dashboard_panel(capture_panel)
        register_stats_source(capture_account_stats)
        demo_seeded.connect(_seed_demo, dispatch_uid="capture_demo_seed")


def _seed_demo(sender, accounts, **kwargs):
    from .demo import capture_demo_seed

    capture_demo_seed(accounts=accounts)
