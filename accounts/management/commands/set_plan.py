from django.core.management.base import BaseCommand, CommandError

from accounts.models import Account, Plan
from accounts.services import PlanChangeRefused, account_change_plan


class Command(BaseCommand):
    help = "Change an account's plan: set_plan ACCOUNT_ID PLAN"

    def add_arguments(self, parser):
        parser.add_argument("account_id")
        parser.add_argument("plan")

    def handle(self, *args, account_id, plan, **options):
        if plan not in Plan.values:
            raise CommandError(f'Unknown plan "{plan}". Plans: {", ".join(Plan.values)}.')
        try:
            account = Account.objects.get(username__iexact=account_id)
        except Account.DoesNotExist:
            raise CommandError(f'No account with Account ID "{account_id}".') from None
        try:
            account_change_plan(account=account, plan=plan)
        except PlanChangeRefused as refused:
            raise CommandError(f"Plan not changed: {refused}") from None
        self.stdout.write(self.style.SUCCESS(f"{account.username} is now on the {Plan(plan).label} plan."))
