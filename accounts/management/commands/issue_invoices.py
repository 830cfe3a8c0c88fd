from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.billing import invoices_issue_due, month_label, periods_due


class Command(BaseCommand):
    help = (
        "Issue the monthly invoices now, as Celery beat does on the 1st (UTC): the month just ended "
        "and any missed month. Safe to run again: an account gets at most one invoice a month."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD, UTC).")

    def handle(self, *args, today=None, **options):
        try:
            run_date = date.fromisoformat(today) if today else timezone.now().date()
        except ValueError:
            raise CommandError(f'--today must be a date like 2026-12-01, not "{today}".') from None
        periods = periods_due(today=run_date)
        issued = invoices_issue_due(today=run_date)
        self.stdout.write(
            f"Months checked: {month_label(periods[0])} to {month_label(periods[-1])}. Invoices issued: {len(issued)}."
        )
        for invoice in issued:
            self.stdout.write(f"  {invoice.number}  {invoice.account_name}  {invoice.bill_to_email}")
