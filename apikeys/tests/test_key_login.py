import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from apikeys.middleware import KEY_SESSION_KEY
from apikeys.models import ApiKey
from apikeys.services import api_key_create
from conftest import PASSWORD, sign_in


def key_login(client, account_id, key_name, api_key):
    return client.post("/api-key-login/", {"account_id": account_id, "key_name": key_name, "api_key": api_key})


@pytest.mark.django_db
def test_api_key_login_signs_in_a_restricted_session_and_shows_the_key(client, viewer_key, team_owner):
    key, secret = viewer_key
    response = key_login(client, "teamowner", "viewer", secret)
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.session[SESSION_KEY] == str(team_owner.pk)
    assert client.session[KEY_SESSION_KEY] == key.pk
    body = client.get("/dashboard/").content.decode()
    assert "Signed in with API key “viewer”" in body
    assert "cannot view or change payment information" in body


@pytest.mark.django_db
def test_api_key_login_accepts_account_id_and_key_name_in_any_case(client, viewer_key):
    _, secret = viewer_key
    assert key_login(client, "TeamOwner", "VIEWER", secret).status_code == 302


def failure_cases():
    return [
        "unknown account",
        "unknown key name",
        "wrong key",
        "malformed key",
        "deleted key",
        "website login off",
        "individual plan",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("cause", failure_cases())
def test_every_failure_cause_gives_the_identical_response(client, viewer_key, team_owner, cause):
    from apikeys import keys

    key, secret = viewer_key
    account_id, key_name, api_key = "teamowner", "viewer", secret
    if cause == "unknown account":
        account_id = "nobody"
    elif cause == "unknown key name":
        key_name = "nosuchkey"
    elif cause == "wrong key":
        api_key = keys.generate()
    elif cause == "malformed key":
        api_key = "k_short"
    elif cause == "deleted key":
        key.delete()
    elif cause == "website login off":
        ApiKey.objects.filter(pk=key.pk).update(website_login=False)
    elif cause == "individual plan":
        type(team_owner).objects.filter(pk=team_owner.pk).update(plan="indie")

    reference = Client()
    expected = key_login(reference, "nobody", "nosuchkey", keys.generate())
    response = key_login(client, account_id, key_name, api_key)
    assert response.status_code == expected.status_code == 200
    assert response.context["form"].non_field_errors() == expected.context["form"].non_field_errors()
    assert "These details do not sign in." in response.content.decode()
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_the_failure_path_does_the_same_digest_work_as_a_hit(viewer_key, monkeypatch):
    from apikeys import keys, services

    calls = []
    real = keys.digest
    monkeypatch.setattr(keys, "digest", lambda value: calls.append(value) or real(value))
    services.api_key_login_check(account_id="nobody", key_name="x", api_key="typo")
    services.api_key_login_check(account_id="teamowner", key_name="viewer", api_key=viewer_key[1])
    assert len(calls) == 2


@pytest.mark.django_db
def test_repeated_api_key_login_attempts_answer_429(client, viewer_key):
    statuses = [key_login(client, "teamowner", "viewer", f"k_wrong{i}").status_code for i in range(6)]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429
    assert key_login(client, "teamowner", "viewer", viewer_key[1]).status_code == 429
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_api_key_login_flushes_the_session_and_rotates_the_csrf_token(client, viewer_key, team_owner):
    client.get("/api-key-login/")
    sign_in(client, team_owner)
    client.session["carried"] = "over"
    before_key = client.session.session_key
    before_csrf = client.cookies["csrftoken"].value
    assert key_login(client, "teamowner", "viewer", viewer_key[1]).status_code == 302
    assert client.session.session_key != before_key
    assert client.cookies["csrftoken"].value != before_csrf
    assert "carried" not in client.session
    assert "_auth_user_backend" in client.session
    assert not any(name.startswith("account_authentication") for name, _ in client.session.items())


@pytest.mark.django_db
def test_the_login_page_links_api_key_login(client):
    assert 'href="/api-key-login/"' in client.get("/accounts/login/").content.decode()


# The four ways a key session ends, on its next request.


def assert_ended(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_deleting_the_key_ends_its_sessions(key_client, viewer_key):
    assert key_client.get("/dashboard/").status_code == 200
    viewer_key[0].delete()
    assert_ended(key_client)


@pytest.mark.django_db
def test_switching_website_login_off_ends_its_sessions(key_client, viewer_key, team_client):
    key = viewer_key[0]
    response = team_client.post(f"/api-keys/{key.pk}/website-login/", {})
    assert response.status_code == 302
    key.refresh_from_db()
    assert not key.website_login
    assert_ended(key_client)


@pytest.mark.django_db
def test_a_plan_downgrade_ends_its_sessions(key_client, team_owner, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        call_command("set_plan", "teamowner", "indie")
    assert_ended(key_client)
    assert not ApiKey.objects.filter(account=team_owner, website_login=True).exists()


@pytest.mark.django_db
def test_the_owners_password_change_ends_its_sessions(key_client, team_client):
    response = team_client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "New-passphrase-77", "password2": "New-passphrase-77"},
    )
    assert response.status_code == 302
    assert_ended(key_client)


@pytest.mark.django_db
def test_the_website_login_switch_is_refused_on_an_individual_plan(owner_client, owner):
    key, _ = api_key_create(account=owner, name="only")
    response = owner_client.post(f"/api-keys/{key.pk}/website-login/", {"enabled": "on"})
    assert response.status_code == 302
    key.refresh_from_db()
    assert not key.website_login
    body = owner_client.get("/api-keys/").content.decode()
    assert "team plan feature" in body
    assert "disabled" in body


@pytest.mark.django_db
def test_the_website_login_switch_turns_on_for_a_team_key(team_client, team_owner):
    key, _ = api_key_create(account=team_owner, name="member")
    team_client.post(f"/api-keys/{key.pk}/website-login/", {"enabled": "on"})
    key.refresh_from_db()
    assert key.website_login


@pytest.mark.django_db
def test_a_stranger_cannot_switch_another_accounts_key(team_client, stranger):
    key, _ = api_key_create(account=stranger, name="theirs")
    assert team_client.post(f"/api-keys/{key.pk}/website-login/", {"enabled": "on"}).status_code == 404
    key.refresh_from_db()
    assert not key.website_login
