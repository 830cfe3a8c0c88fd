"""Background work of the accounts app. Each task takes ids and is safe to run twice."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .billing import invoice_email_send, invoices_issue_due
from .models import Domain
from .services import domain_verify


@shared_task
def domain_check(domain_id: int) -> None:
    domain_verify(domain_id=domain_id)


@shared_task
def domains_check_pending() -> int:
    """Look up every unverified domain again (beat, every DOMAIN_RECHECK_MINUTES)."""
    pending = list(Domain.objects.filter(verified_at__isnull=True).values_list("pk", flat=True))
    for domain_id in pending:
        domain_check.delay(domain_id)
    return len(pending)


@shared_task
def invoices_issue_monthly() -> int:
    """Issue the invoices of the month just ended, and of any month missed (beat, the 1st UTC)."""
    return len(invoices_issue_due(today=timezone.now().date()))


@shared_task
def invoice_email(invoice_id: int) -> None:
    invoice_email_send(invoice_id=invoice_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=12)
def account_purge(deletion_request_id: int) -> None:
    from .deletion import account_purge as purge

    purge(deletion_request_id=deletion_request_id)


@shared_task
def account_purge_pending() -> int:
    """Beat's safety net: purge any request whose task was lost or gave up."""
    from .models import DeletionRequest

    stale = timezone.now() - timedelta(minutes=10)
    pending = list(
        DeletionRequest.objects.filter(purged_at__isnull=True, requested_at__lt=stale).values_list("pk", flat=True)
    )
    for pk in pending:
        account_purge.delay(pk)
    return len(pending)
