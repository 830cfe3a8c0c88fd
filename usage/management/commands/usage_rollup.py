from django.core.management.base import BaseCommand, CommandError

from usage.months import parse_month
from usage.services import RollupBusy, usage_rollup


class Command(BaseCommand):
    help = "Recompute monthly usage statistics: the months that are due, or the given ones (YYYY-MM)."

    def add_arguments(self, parser):
        parser.add_argument("months", nargs="*", help="Months to roll up, as YYYY-MM (default: every month due).")

    def handle(self, *args, months, **options):
        try:
            chosen = [parse_month(month) for month in months] or None
            done = usage_rollup(months=chosen)
        except ValueError as error:
            raise CommandError(str(error)) from None
        except RollupBusy as error:
            raise CommandError(str(error)) from None
        self.stdout.write("Rolled up " + (", ".join(f"{month:%Y-%m}" for month in done) or "nothing") + ".")
