import pytest

from accounts.models import Domain
from apikeys.services import api_key_create


@pytest.mark.django_db
def test_api_me_stats_lists_the_accounts_custom_domains_by_name(client, team_owner, stranger):
    Domain.objects.create(account=team_owner, name="b.example")
    Domain.objects.create(account=team_owner, name="a.example")
    Domain.objects.create(account=stranger, name="theirs.example")
    _, secret = api_key_create(account=team_owner, name="ci")
    body = client.get("/api/me/stats", headers={"Mailsac-Key": secret}).json()
    assert body["domains"] == ["a.example", "b.example"]


@pytest.mark.django_db
def test_api_me_stats_counts_last_months_operations(client, team_owner):
    from datetime import UTC, datetime

    import time_machine

    from usage.models import Service
    from usage.services import record

    key, secret = api_key_create(account=team_owner, name="ci")
    for _ in range(3):
        record(account=team_owner, service=Service.API, key=key, at=datetime(2026, 11, 20, 12, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 12, 3, 12, tzinfo=UTC), tick=False):
        body = client.get("/api/me/stats", headers={"Mailsac-Key": secret}).json()
    assert body["lastMonthOps"] == 3
