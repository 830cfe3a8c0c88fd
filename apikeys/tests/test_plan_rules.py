import pytest
from django.core.management import CommandError, call_command

from apikeys.services import api_key_create


@pytest.mark.django_db
def test_set_plan_refuses_a_downgrade_to_an_individual_plan_while_two_keys_exist(team_owner):
    api_key_create(account=team_owner, name="one")
    api_key_create(account=team_owner, name="two")
    with pytest.raises(CommandError, match="holds 1 API key and this account holds 2"):
        call_command("set_plan", "teamowner", "indie")
    team_owner.refresh_from_db()
    assert team_owner.plan == "business"


@pytest.mark.django_db
def test_set_plan_allows_a_downgrade_with_one_key(team_owner):
    api_key_create(account=team_owner, name="one")
    call_command("set_plan", "teamowner", "indie")
    team_owner.refresh_from_db()
    assert team_owner.plan == "indie"


@pytest.mark.django_db
def test_the_admin_refuses_a_downgrade_while_two_keys_exist(client, make_account, team_owner):
    staff = make_account("support", is_staff=True, is_superuser=True)
    client.force_login(staff)
    api_key_create(account=team_owner, name="one")
    api_key_create(account=team_owner, name="two")
    response = client.post(
        f"/admin/accounts/account/{team_owner.pk}/change/",
        {
            "username": "teamowner",
            "plan": "free",
            "email": team_owner.email,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "holds 1 API key and this account holds 2" in response.content.decode()
    team_owner.refresh_from_db()
    assert team_owner.plan == "business"
