import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone

from accounts.access import allows_key_session
from usage.models import Direction, Service
from usage.months import month_of, month_start, months_between
from usage.services import record, usage_rollup

from .conftest import FakeDomain, FakeKey

pytestmark = pytest.mark.django_db


def fill(account, *, keys: int, domains: int, months: int):
    """`months` of history ending with this one, for `keys` keys and `domains` domains."""
    now = timezone.now()
    first = month_of(now - timedelta(days=31 * (months - 1)))
    for index, month in enumerate(months_between(first, month_of(now))):
        at = min(month_start(month) + timedelta(days=1, hours=3), now)
        for k in range(keys):
            record(
                account=account, service=Service.API, key=FakeKey(100 + k, f"key-{k:02d}"), count=k + index + 1, at=at
            )
        for d in range(domains):
            domain = FakeDomain(200 + d, f"d{d}.example.test")
            record(
                account=account,
                service=Service.CAPTURE,
                domain=domain,
                direction=Direction.INBOUND,
                size=2_500_000,
                at=at,
            )
            record(
                account=account, service=Service.WEBHOOK, domain=domain, direction=Direction.OUTBOUND, size=1_000, at=at
            )
    usage_rollup()


def page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/usage/").status_code == 200
    return len(queries)


def test_the_usage_page_shows_this_month_by_key_and_by_service_and_the_message_statistics(
    metering_database, owner_client, owner
):
    record(account=owner, service=Service.API, key=FakeKey(1, "production"), count=1234)
    record(account=owner, service=Service.API, key=FakeKey(2, "staging"), count=6)
    domain = FakeDomain(9, "mail.acme.test")
    record(account=owner, service=Service.CAPTURE, domain=domain, direction=Direction.INBOUND, size=3 * 1024 * 1024)
    response = owner_client.get("/usage/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("1,241", "production", "1,234", "staging", "Email Capture message", "mail.acme.test", "3.0\xa0MB"):
        assert text in html
    assert html.count('class="chart-bar') == 12
    # The chart is drawn on the server: the page's content carries no script of its own.
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert 'style="' not in html


def test_the_usage_page_query_count_does_not_grow_with_keys_domains_or_months(metering_database, client, make_account):
    small, big = make_account("small", plan="business"), make_account("big", plan="business")
    fill(small, keys=1, domains=1, months=1)
    fill(big, keys=50, domains=10, months=24)
    client.force_login(small)
    small_count = page_queries(client)
    client.force_login(big)
    big_count = page_queries(client)
    assert big_count == small_count
    assert big_count <= 12


def test_the_page_csv_and_api_agree(metering_redis, team_owner, flush_settled, client, api_key):
    fill(team_owner, keys=3, domains=2, months=3)
    flush_settled()
    record(account=team_owner, service=Service.API, key=FakeKey(100, "key-00"), count=5)  # still in Redis
    _key, secret = api_key
    api = client.get("/api/usage", headers={"Mailsac-Key": secret}).json()  # itself counted before it answers
    client.force_login(team_owner)
    page = client.get("/usage/").context["report"]
    rows = list(csv.DictReader(io.StringIO(client.get("/usage/export.csv").content.decode())))

    month = f"{page.current_month:%Y-%m}"
    csv_month = [row for row in rows if row["month"] == month]
    assert page.month_totals.operations == api["operations"] == sum(int(r["operations"]) for r in csv_month)
    page_keys = {item.name: item.totals.operations for item in page.by_key}
    assert page_keys == {item["keyName"]: item["operations"] for item in api["byKey"]}
    assert page_keys["ci"] == 1
    assert page_keys["key-00"] == 3 + 5  # fill: 3 this month, then 5 still in Redis
    assert {d.name: d.totals.inbound_bytes for d in page.history[0].domains} == {
        d["domain"]: d["inboundBytes"] for d in api["domains"]
    }
    for item in page.history:
        rows_of_month = [row for row in rows if row["month"] == f"{item.month:%Y-%m}"]
        assert item.totals.operations == sum(int(row["operations"]) for row in rows_of_month)
        assert item.totals.inbound_bytes == sum(int(row["inbound_bytes"]) for row in rows_of_month)
    assert page.all_time_operations == sum(int(row["operations"]) for row in rows)


def test_a_past_month_is_shown_when_asked_for(metering_database, owner_client, owner):
    fill(owner, keys=2, domains=0, months=3)
    past = month_of(timezone.now() - timedelta(days=40))
    response = owner_client.get(f"/usage/?month={past:%Y-%m}")
    assert response.status_code == 200
    assert response.context["report"].month == past
    assert {item.name for item in response.context["report"].by_key} == {"key-00", "key-01"}


@pytest.mark.parametrize("month", ["2026-13", "next", "9999-01", "2026-1"])
def test_a_malformed_or_future_month_gets_a_clear_error(metering_database, owner_client, month):
    response = owner_client.get(f"/usage/?month={month}")
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert owner_client.get(f"/usage/export.csv?month={month}").status_code == 400


def test_the_csv_defuses_names_that_a_spreadsheet_would_run(metering_database, owner_client, owner):
    record(account=owner, service=Service.API, key=FakeKey(1, "=HYPERLINK(1)"))
    body = owner_client.get("/usage/export.csv").content.decode()
    assert "'=HYPERLINK(1)" in body


def test_a_restricted_key_session_may_open_the_usage_page_and_export():
    assert allows_key_session(resolve("/usage/").func)
    assert allows_key_session(resolve("/usage/export.csv").func)


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get("/usage/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_api_refuses_a_malformed_month_with_the_error_body(metering_database, client, api_key):
    _key, secret = api_key
    response = client.get("/api/usage?month=2026-13", headers={"Mailsac-Key": secret})
    assert response.status_code == 400
    assert set(response.json()) == {"message", "error", "validationErrors"}
    assert "YYYY-MM" in response.json()["message"]


def test_the_dashboard_shows_this_months_operations_against_the_quota(metering_database, owner_client, owner):
    record(account=owner, service=Service.API, key=FakeKey(1, "ci"), count=25_000)
    html = owner_client.get("/dashboard/").content.decode()
    assert "Operations this month" in html
    assert "25,000" in html
    assert "of 100,000 this month (25 %)" in html
