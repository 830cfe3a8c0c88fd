from django.core.management.base import BaseCommand

from accounts.deletion import account_purge
from accounts.models import DeletionRequest


class Command(BaseCommand):
    help = "Purge every Account Deletion Request not purged yet (what beat does in production)."

    def handle(self, *args, **options):
        pending = DeletionRequest.objects.filter(purged_at__isnull=True).values_list("pk", flat=True)
        for pk in list(pending):
            account_purge(deletion_request_id=pk)
            self.stdout.write(f"purged deletion request {pk}")
