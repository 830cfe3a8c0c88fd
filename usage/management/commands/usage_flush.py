from django.core.management.base import BaseCommand

from usage.services import metering_uses_redis, usage_flush


class Command(BaseCommand):
    help = "Move settled usage buckets from Redis into the database (what the beat task does every minute)."

    def handle(self, *args, **options):
        if not metering_uses_redis():
            self.stdout.write("Embedded mode: usage is written to the database directly; nothing to flush.")
            return
        self.stdout.write(f"Flushed {usage_flush()} bucket(s).")
