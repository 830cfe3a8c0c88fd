from django.core.management.base import BaseCommand

from accounts.demo import DEMO_ACCOUNTS, demo_seed


class Command(BaseCommand):
    help = "Create the demo accounts (idempotent)."

    def handle(self, *args, **options):
        demo_seed()
        for role, spec in DEMO_ACCOUNTS.items():
            self.stdout.write(f"{role}: Account ID {spec['username']}, password {spec['password']} ({spec['plan']})")
