"""Old messages are purged by the daily task; a deleted account's messages go with it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from capture.models import Delivery, Message
from capture.services import capture_purge_account
from capture.tasks import messages_purge_old

pytestmark = pytest.mark.django_db


def stored(account, *, days_old: int) -> Message:
    message = Message.objects.create(
        account=account,
        kind=Message.Kind.CAPTURED,
        rcpt_to=["a@b.test"],
        size=3,
        raw=b"x\r\n",
        received=timezone.now() - timedelta(days=days_old),
    )
    Delivery.objects.create(message=message, kind="websocket")
    return message


def test_the_daily_purge_deletes_messages_past_the_retention_only(owner, settings):
    settings.CAPTURE_RETENTION_DAYS = 30
    old, recent = stored(owner, days_old=31), stored(owner, days_old=29)
    assert messages_purge_old.apply().get() == 1
    assert list(Message.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Delivery.objects.filter(message_id=old.pk).exists()


def test_purging_an_account_deletes_its_messages_and_no_one_elses(owner, stranger):
    stored(owner, days_old=1)
    theirs = stored(stranger, days_old=1)
    capture_purge_account(owner.pk)
    capture_purge_account(owner.pk)
    assert list(Message.objects.values_list("pk", flat=True)) == [theirs.pk]
