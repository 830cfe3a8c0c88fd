import pytest

from apikeys.models import ApiKey
from apikeys.services import api_key_create


def create(client, name):
    return client.post("/api-keys/create/", {"name": name})


@pytest.mark.django_db
def test_creating_a_key_shows_it_once_with_no_store(team_client, team_owner):
    response = create(team_client, "ci-staging")
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    key = ApiKey.objects.get(account=team_owner)
    assert key.name == "ci-staging"
    assert secret not in (key.lookup, key.digest)
    assert secret not in team_client.get("/api-keys/").content.decode()


@pytest.mark.django_db
def test_the_key_list_shows_name_identifier_and_website_login(team_client, team_owner):
    key, _ = api_key_create(account=team_owner, name="alice laptop")
    body = team_client.get("/api-keys/").content.decode()
    assert "alice laptop" in body
    assert key.identifier in body
    assert "never" in body


@pytest.mark.django_db
def test_the_key_list_shows_an_empty_state(team_client):
    assert "No API keys yet" in team_client.get("/api-keys/").content.decode()


@pytest.mark.django_db
def test_an_individual_plan_refuses_a_second_key_and_says_why(owner_client, owner):
    assert create(owner_client, "first").status_code == 200
    response = create(owner_client, "second")
    assert response.status_code == 400
    body = response.content.decode()
    assert "holds one API key" in body
    assert "team plan" in body
    assert list(ApiKey.objects.filter(account=owner).values_list("name", flat=True)) == ["first"]


@pytest.mark.django_db
def test_a_team_plan_holds_many_named_keys(team_client, team_owner):
    for name in ["ci", "staging", "alice"]:
        assert create(team_client, name).status_code == 200
    assert ApiKey.objects.filter(account=team_owner).count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("duplicate", ["ci", "CI", "Ci"])
def test_a_duplicate_key_name_is_refused_in_any_case(team_client, team_owner, duplicate):
    create(team_client, "ci")
    response = create(team_client, duplicate)
    assert response.status_code == 400
    assert response.context["form"].has_error("name")
    assert ApiKey.objects.filter(account=team_owner).count() == 1


@pytest.mark.django_db
def test_the_same_key_name_is_fine_in_another_account(team_client, stranger):
    api_key_create(account=stranger, name="ci")
    assert create(team_client, "ci").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["", "x" * 65, "tab\there", "zero\u200bwidth"])
def test_a_bad_key_name_is_refused_with_an_error_beside_the_field(team_client, team_owner, name):
    response = create(team_client, name)
    assert response.status_code == 400
    assert response.context["form"].has_error("name")
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_a_key_name_of_64_characters_is_accepted(team_client):
    assert create(team_client, "n" * 64).status_code == 200


@pytest.mark.django_db
def test_deleting_a_key_asks_for_confirmation_first(team_client, team_owner):
    key, _ = api_key_create(account=team_owner, name="ci")
    response = team_client.get(f"/api-keys/{key.pk}/delete/")
    assert response.status_code == 200
    assert "cannot be undone" in response.content.decode()
    assert ApiKey.objects.filter(pk=key.pk).exists()


@pytest.mark.django_db
def test_deleting_a_key_removes_it(team_client, team_owner):
    key, _ = api_key_create(account=team_owner, name="ci")
    response = team_client.post(f"/api-keys/{key.pk}/delete/")
    assert response.status_code == 302
    assert not ApiKey.objects.filter(pk=key.pk).exists()


@pytest.mark.django_db
def test_another_accounts_key_cannot_be_deleted(team_client, stranger):
    key, _ = api_key_create(account=stranger, name="theirs")
    assert team_client.get(f"/api-keys/{key.pk}/delete/").status_code == 404
    assert team_client.post(f"/api-keys/{key.pk}/delete/").status_code == 404
    assert ApiKey.objects.filter(pk=key.pk).exists()


@pytest.mark.django_db
def test_deleting_a_key_needs_recent_authentication(client, team_owner):
    key, _ = api_key_create(account=team_owner, name="ci")
    client.force_login(team_owner)  # a session with no recent password entry
    response = client.post(f"/api-keys/{key.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert ApiKey.objects.filter(pk=key.pk).exists()


@pytest.mark.django_db
def test_creating_a_key_requires_sign_in(client):
    response = client.post("/api-keys/create/", {"name": "x"})
    assert response.status_code == 302
    assert not ApiKey.objects.exists()
