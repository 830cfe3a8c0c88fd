import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mailsac_accounts.settings")

app = Celery("mailsac_accounts")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
