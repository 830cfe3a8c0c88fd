from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connections

from usage.models import Direction, MonthlyUsage, RollupMonth, Service, UsageBucket
from usage.services import RollupBusy, record, rollup_due_months, usage_rollup

from .conftest import FakeDomain, FakeKey

pytestmark = pytest.mark.django_db

KEY = FakeKey(pk=11, name="ci")
OTHER_KEY = FakeKey(pk=12, name="staging")
DOMAIN = FakeDomain(pk=4, name="mail.acme.test")
JAN = datetime(2026, 1, 10, 12, tzinfo=UTC)
MAR = datetime(2026, 3, 5, 9, tzinfo=UTC)


def stats():
    return sorted(
        MonthlyUsage.objects.values_list(
            "account_id",
            "month",
            "key_id",
            "key_name",
            "domain_id",
            "domain_name",
            "service",
            "operations",
            "inbound_messages",
            "outbound_messages",
            "inbound_bytes",
            "outbound_bytes",
        ),
        key=repr,
    )


@pytest.fixture
def history(metering_database, owner, team_owner):
    record(account=owner, service=Service.API, key=KEY, count=5, at=JAN)
    record(account=owner, service=Service.API, key=OTHER_KEY, count=2, at=JAN)
    record(account=owner, service=Service.CAPTURE, domain=DOMAIN, direction=Direction.INBOUND, size=3000, at=JAN)
    record(account=owner, service=Service.CAPTURE, domain=DOMAIN, direction=Direction.INBOUND, size=1000, at=JAN)
    record(account=owner, service=Service.WEBHOOK, domain=DOMAIN, direction=Direction.OUTBOUND, size=500, at=JAN)
    record(account=team_owner, service=Service.SLACK, direction=Direction.OUTBOUND, size=70, at=MAR)
    record(account=team_owner, service=Service.API, count=4, at=MAR)


def test_the_rollup_sums_each_month_by_key_domain_and_service(history, owner):
    usage_rollup(now=MAR + timedelta(days=1))
    january = {
        (row.key_name, row.domain_name, row.service): row
        for row in MonthlyUsage.objects.filter(account=owner, month=date(2026, 1, 1))
    }
    assert january[("ci", "", "api")].operations == 5
    assert january[("staging", "", "api")].operations == 2
    capture = january[("", "mail.acme.test", "capture")]
    assert (capture.operations, capture.inbound_messages, capture.inbound_bytes) == (2, 2, 4000)
    webhook = january[("", "mail.acme.test", "webhook")]
    assert (webhook.outbound_messages, webhook.outbound_bytes, webhook.inbound_messages) == (1, 500, 0)


def test_the_rollup_run_twice_gives_identical_rows(history):
    usage_rollup(now=MAR + timedelta(days=1))
    first = stats()
    usage_rollup(now=MAR + timedelta(days=1))
    usage_rollup(now=MAR + timedelta(days=1), months=[date(2026, 1, 1), date(2026, 3, 1)])
    assert stats() == first
    assert MonthlyUsage.objects.count() == len(first)


def test_the_rollup_catches_up_every_missed_month_and_closes_the_ended_ones(history):
    assert rollup_due_months(now=MAR + timedelta(days=1)) == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    done = usage_rollup(now=MAR + timedelta(days=1))
    assert done == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert dict(RollupMonth.objects.values_list("month", "closed")) == {
        date(2026, 1, 1): True,
        date(2026, 2, 1): True,
        date(2026, 3, 1): False,
    }
    # Nightly: only the current month is due again; on the 1st, the month just ended too.
    assert rollup_due_months(now=MAR + timedelta(days=2)) == [date(2026, 3, 1)]
    assert rollup_due_months(now=datetime(2026, 4, 1, 0, 15, tzinfo=UTC)) == [date(2026, 3, 1), date(2026, 4, 1)]


def test_late_rows_reopen_a_month_and_the_next_run_counts_them(history, owner):
    usage_rollup(now=MAR + timedelta(days=1))
    record(account=owner, service=Service.API, key=KEY, count=3, at=JAN)
    assert not RollupMonth.objects.get(month=date(2026, 1, 1)).closed
    usage_rollup(now=MAR + timedelta(days=2))
    assert MonthlyUsage.objects.get(account=owner, month=date(2026, 1, 1), key_id=KEY.pk).operations == 8


def test_a_key_renamed_during_the_month_keeps_the_name_of_its_latest_row(metering_database, owner):
    record(account=owner, service=Service.API, key=FakeKey(pk=13, name="zeta"), count=2, at=JAN)
    record(account=owner, service=Service.API, key=FakeKey(pk=13, name="alpha"), count=1, at=JAN + timedelta(days=1))
    usage_rollup(now=MAR)
    row = MonthlyUsage.objects.get(account=owner, key_id=13)
    assert (row.key_name, row.operations) == ("alpha", 3)


def test_an_account_history_is_deleted_with_the_account(history, owner):
    usage_rollup(now=MAR + timedelta(days=1))
    owner.delete()
    assert not UsageBucket.objects.filter(account_id=owner.pk).exists()
    assert not MonthlyUsage.objects.filter(account_id=owner.pk).exists()


def test_the_rollup_command_takes_months_and_refuses_a_malformed_one(history, capsys):
    call_command("usage_rollup", "2026-01")
    assert "Rolled up 2026-01." in capsys.readouterr().out
    assert MonthlyUsage.objects.filter(month=date(2026, 1, 1)).exists()
    with pytest.raises(Exception, match="YYYY-MM"):
        call_command("usage_rollup", "January")


def test_a_second_rollup_waits_while_one_is_running(postgresql_only, history):
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [0x75736167])
        with pytest.raises(RollupBusy):
            usage_rollup(now=MAR)
    finally:
        other.close()


def test_the_rollup_task_is_late_acknowledged_and_retried_with_backoff():
    from usage.tasks import usage_flush_task, usage_rollup_task

    for task in (usage_rollup_task, usage_flush_task):
        assert task.acks_late is True
        assert task.retry_backoff
        assert task.max_retries
