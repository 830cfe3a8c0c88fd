"""A scripted run over real SMTP and HTTP: usage and message statistics match what was sent, exactly.

N captured messages (two of them to the account's domain), M inbound and O outbound messages of
known sizes, and K forwards (one of which fails once and is retried) give: N + M + O Email
Capture operations (the key's: N + O), K forward operations, N + M inbound and O outbound
messages with their byte sums, and the domain's share, before and after the flush and rollup.
"""

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from capture.services import forwarding_rule_create
from usage.models import MonthlyUsage
from usage.months import month_of
from usage.reports import usage_report
from usage.services import usage_flush, usage_rollup

from .conftest import message_bytes, smtp_session

pytestmark = pytest.mark.django_db(transaction=True)

CAPTURED = [1_000 + 111 * n for n in range(5)]  # N = 5; the first two to the account's domain
INBOUND = [2_000 + 97 * n for n in range(4)]  # M = 4; the last one to alerts@
OUTBOUND = [3_000 + 53 * n for n in range(3)]  # O = 3


def test_usage_and_statistics_match_a_scripted_run_exactly(
    capture_server, client_tls, smarthost, http_sink, owner, make_key, make_domain
):
    domain = make_domain(owner, "script.test")
    key, secret = make_key(owner)
    forwarding_rule_create(domain=domain, local_part="", kind="webhook", url=f"{http_sink.url}/all")
    forwarding_rule_create(domain=domain, local_part="alerts", kind="slack", url=f"{http_sink.url}/slack")
    http_sink.statuses = [503]  # the first forward fails once and succeeds on retry

    captured_to = ["a@script.test", "b@script.test", "x@elsewhere.test", "y@elsewhere.test", "z@elsewhere.test"]
    with smtp_session(capture_server.ports["capture"], client_tls, login=(owner.username, secret)) as client:
        for size, to in zip(CAPTURED, captured_to, strict=True):
            client.sendmail("app@example.net", [to], message_bytes(to=to, size=size))
    inbound_to = ["in1@script.test", "in2@script.test", "in3@script.test", "alerts@script.test"]
    with smtp_session(capture_server.ports["inbound"], client_tls) as client:
        for size, to in zip(INBOUND, inbound_to, strict=True):
            client.sendmail("someone@example.org", [to], message_bytes(to=to, size=size))
    with smtp_session(capture_server.ports["relay"], client_tls, login=(owner.username, secret)) as client:
        for size in OUTBOUND:
            raw = message_bytes(sender="news@script.test", to="reader@example.org", size=size)
            client.sendmail("news@script.test", ["reader@example.org"], raw)

    webhook_forwards = 2 + len(INBOUND)  # captured to the domain, and every inbound message
    slack_forwards = 1
    assert len(smarthost.received) == len(OUTBOUND)
    assert [post["status"] for post in http_sink.posts].count(200) == webhook_forwards + slack_forwards
    assert len(http_sink.posts) == webhook_forwards + slack_forwards + 1

    expected = {
        "capture": len(CAPTURED) + len(INBOUND) + len(OUTBOUND),
        "webhook": webhook_forwards,
        "slack": slack_forwards,
        "websocket": 0,
        "api": 0,
    }
    report = usage_report(account=owner)
    assert {named.code: named.totals.operations for named in report.by_service} == expected
    # A forward counts for the key that captured its message; inbound mail came without a key.
    by_key = {named.id: named.totals.operations for named in report.by_key}
    assert by_key == {
        key.pk: len(CAPTURED) + len(OUTBOUND) + 2,
        None: len(INBOUND) + len(INBOUND) + slack_forwards,
    }
    totals = report.month_totals
    assert (totals.inbound_messages, totals.inbound_bytes) == (
        len(CAPTURED) + len(INBOUND),
        sum(CAPTURED) + sum(INBOUND),
    )
    assert (totals.outbound_messages, totals.outbound_bytes) == (len(OUTBOUND), sum(OUTBOUND))
    [domain_stats] = report.history[0].domains
    assert (domain_stats.totals.inbound_messages, domain_stats.totals.inbound_bytes) == (
        2 + len(INBOUND),
        sum(CAPTURED[:2]) + sum(INBOUND),
    )
    assert (domain_stats.totals.outbound_messages, domain_stats.totals.outbound_bytes) == (
        len(OUTBOUND),
        sum(OUTBOUND),
    )

    # The same numbers after the flush (production) and the monthly rollup.
    later = timezone.now() + timedelta(hours=2)
    usage_flush(now=later)
    usage_rollup(now=later, months=[month_of(timezone.now())])
    rows = MonthlyUsage.objects.filter(account=owner)
    assert rows.aggregate(n=Sum("operations"))["n"] == sum(expected.values())
    for service, count in expected.items():
        assert (rows.filter(service=service).aggregate(n=Sum("operations"))["n"] or 0) == count
    assert rows.aggregate(
        i=Sum("inbound_messages"), ib=Sum("inbound_bytes"), o=Sum("outbound_messages"), ob=Sum("outbound_bytes")
    ) == {
        "i": len(CAPTURED) + len(INBOUND),
        "ib": sum(CAPTURED) + sum(INBOUND),
        "o": len(OUTBOUND),
        "ob": sum(OUTBOUND),
    }
