"""Account Deletion Request: the account is locked out at once, then purged by a task.

At the request, in one transaction: the account is deactivated (every API key and
every session, owner or key, stops working on its next request, since both check
`is_active`), its password made unusable, its Account ID and email released for a new
sign-up, and its allauth email records removed. After commit: a confirmation email and
the purge task.

The purge runs each registered step, then deletes the account row (its keys, domains,
usage and the rest go with it by cascade), and marks the request purged. Every step is
idempotent, so running it twice, or again after a crash halfway, ends in the same state.
"""

import hashlib
import hmac
from collections.abc import Callable

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Account, DeletionRequest, Invoice

PurgeStep = Callable[[int], None]
_purge_steps: list[tuple[str, PurgeStep]] = []


def register_purge_step(name: str, step: PurgeStep) -> None:
    """Apps above `accounts` register how to remove what they keep outside cascading rows
    (Redis counters, files); a step takes the account's primary key and is idempotent."""
    if name not in dict(_purge_steps):
        _purge_steps.append((name, step))


def account_id_hash(account_id: str) -> str:
    """Lets support staff confirm that a given Account ID was deleted, without storing it."""
    return hmac.new(settings.SECRET_KEY.encode(), account_id.lower().encode(), hashlib.sha256).hexdigest()


def released_username(account_pk: int) -> str:
    # "~" is not allowed in an Account ID, so this can never collide with a sign-up.
    return f"~deleted-{account_pk}"


@transaction.atomic
def account_deletion_request(*, account: Account) -> DeletionRequest:
    account = Account.objects.select_for_update().get(pk=account.pk)
    email, account_id = account.email, account.username
    request = DeletionRequest.objects.create(account_pk=account.pk, account_id_hash=account_id_hash(account_id))
    account.is_active = False
    account.set_unusable_password()
    account.username = released_username(account.pk)
    account.email = ""
    account.save(update_fields=["is_active", "password", "username", "email"])
    EmailAddress.objects.filter(user=account).delete()

    def after_commit():
        _send_confirmation(email=email, account_id=account_id)
        from .tasks import account_purge

        account_purge.delay(request.pk)

    transaction.on_commit(after_commit)
    return request


def _send_confirmation(*, email: str, account_id: str) -> None:
    if not email:
        return
    context = {"account_id": account_id}
    send_mail(
        subject=render_to_string("emails/account_deleted_subject.txt", context).strip(),
        message=render_to_string("emails/account_deleted.txt", context),
        html_message=render_to_string("emails/account_deleted.html", context),
        from_email=None,
        recipient_list=[email],
    )


def account_sessions_delete(account_pk: int) -> None:
    """Remove the account's stored sessions (already unusable: the account is inactive)."""
    user_id = str(account_pk)
    doomed = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000)
        if session.get_decoded().get("_auth_user_id") == user_id
    ]
    Session.objects.filter(session_key__in=doomed).delete()


def account_invoices_anonymise(account_pk: int) -> None:
    """Invoices stay as tax law needs: amounts, dates, company and address; not who the account was."""
    Invoice.objects.filter(account_id=account_pk).update(account=None, account_name="", bill_to_email="")


def account_purge(*, deletion_request_id: int) -> None:
    deletion = DeletionRequest.objects.get(pk=deletion_request_id)
    if deletion.purged_at:
        return
    for _, step in [*_purge_steps, ("sessions", account_sessions_delete), ("invoices", account_invoices_anonymise)]:
        step(deletion.account_pk)
    with transaction.atomic():
        Account.objects.filter(pk=deletion.account_pk).delete()
        DeletionRequest.objects.filter(pk=deletion.pk).update(purged_at=timezone.now())
