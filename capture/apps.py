from django.apps import AppConfig


class CaptureConfig(AppConfig):
    name = "capture"
    verbose_name = "Email Capture"

    def ready(self):
        from accounts.deletion import register_purge_step

        from .services import capture_purge_account

        register_purge_step("capture", capture_purge_account)
