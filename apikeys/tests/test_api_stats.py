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
