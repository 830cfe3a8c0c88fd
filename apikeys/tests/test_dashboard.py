import pytest

from apikeys.services import api_key_create


@pytest.mark.django_db
def test_dashboard_summarises_the_accounts_api_keys(team_client, team_owner):
    api_key_create(account=team_owner, name="one")
    api_key_create(account=team_owner, name="two")
    response = team_client.get("/dashboard/")
    tiles = {tile["label"]: tile for tile in response.context["panels"]}
    assert tiles["API keys"]["value"] == 2
    assert "many allowed" in tiles["API keys"]["detail"]
