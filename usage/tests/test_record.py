from datetime import UTC, datetime

import pytest
import time_machine
from django.db.models import Sum

from usage.models import Service, UsageBucket
from usage.reports import usage_report
from usage.services import api_call_record, record

from .conftest import FakeDomain, FakeKey

pytestmark = pytest.mark.django_db

KEY = FakeKey(pk=41, name="production")
DOMAIN = FakeDomain(pk=7, name="mail.acme.test")


def total(account):
    return UsageBucket.objects.filter(account=account).aggregate(n=Sum("count"))["n"] or 0


def test_embedded_record_writes_the_event_to_the_database(metering_database, owner):
    record(account=owner, service=Service.CAPTURE, key=KEY, domain=DOMAIN, direction="in", size=2048)
    row = UsageBucket.objects.get(account=owner)
    assert (row.service, row.key_id, row.key_name, row.domain_id, row.domain_name) == (
        "capture",
        41,
        "production",
        7,
        "mail.acme.test",
    )
    assert (row.direction, row.count, row.bytes, row.flush_key) == ("in", 1, 2048, None)


def test_redis_record_counts_in_redis_until_the_flush(metering_redis, owner, flush_settled):
    for _ in range(3):
        record(account=owner, service=Service.WEBHOOK, domain=DOMAIN, direction="out", size=100)
    assert total(owner) == 0
    assert flush_settled() == 1
    row = UsageBucket.objects.get(account=owner)
    assert (row.count, row.bytes, row.domain_name, row.direction) == (3, 300, "mail.acme.test", "out")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"service": "carrier-pigeon"},
        {"service": Service.CAPTURE},
        {"service": Service.CAPTURE, "direction": "sideways"},
        {"service": Service.API, "direction": "in"},
        {"service": Service.SLACK, "direction": "out", "size": -1},
    ],
)
def test_a_malformed_event_is_refused_and_nothing_is_counted(metering_database, owner, kwargs):
    with pytest.raises(ValueError):
        record(account=owner, **kwargs)
    assert total(owner) == 0


@pytest.mark.parametrize("backend", ["metering_database", "metering_redis"])
def test_history_keeps_the_name_of_a_key_that_no_longer_exists(request, backend, owner, flush_settled):
    request.getfixturevalue(backend)
    api_call_record(account=owner, key=FakeKey(pk=999_999, name="deleted-since"))
    flush_settled()
    report = usage_report(account=owner)
    assert [(item.id, item.name, item.totals.operations) for item in report.by_key] == [(999_999, "deleted-since", 1)]


@pytest.mark.parametrize("backend", ["metering_database", "metering_redis"])
def test_a_month_boundary_splits_counts_into_the_right_months(request, backend, owner, flush_settled):
    request.getfixturevalue(backend)
    with time_machine.travel(datetime(2026, 1, 31, 23, 59, 59, tzinfo=UTC), tick=False):
        for _ in range(3):
            api_call_record(account=owner, key=KEY)
    with time_machine.travel(datetime(2026, 2, 1, 0, 0, 0, tzinfo=UTC), tick=False):
        state = api_call_record(account=owner, key=KEY)
        assert state.used == 1
    with time_machine.travel(datetime(2026, 2, 1, 3, 0, tzinfo=UTC), tick=False):
        flush_settled()
        report = usage_report(account=owner)
    assert [(item.month.month, item.totals.operations) for item in report.history] == [(2, 1), (1, 3)]
