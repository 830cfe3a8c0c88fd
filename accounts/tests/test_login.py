import pytest
from django.contrib.auth import SESSION_KEY

from conftest import PASSWORD


@pytest.mark.django_db
def test_login_by_account_id_reaches_the_dashboard(client, owner):
    response = client.post("/accounts/login/", {"login": "owner", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.session[SESSION_KEY] == str(owner.pk)


@pytest.mark.django_db
def test_login_by_account_id_ignores_case(client, owner):
    client.post("/accounts/login/", {"login": "OWNER", "password": PASSWORD})
    assert client.session[SESSION_KEY] == str(owner.pk)


@pytest.mark.django_db
def test_login_by_email_reaches_the_dashboard(client, owner):
    response = client.post("/accounts/login/", {"login": "owner@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(owner.pk)


@pytest.mark.django_db
def test_login_with_a_wrong_password_shows_an_error_and_signs_nobody_in(client, owner):
    response = client.post("/accounts/login/", {"login": "owner", "password": "wrong-password"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_repeated_failed_logins_answer_429(client, owner):
    statuses = [
        client.post("/accounts/login/", {"login": "owner", "password": f"wrong-{i}"}).status_code for i in range(6)
    ]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429
    # Even the right password is refused while the limit holds.
    response = client.post("/accounts/login/", {"login": "owner", "password": PASSWORD})
    assert response.status_code == 429
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_logout_by_get_does_not_sign_out(owner_client):
    response = owner_client.get("/accounts/logout/")
    assert response.status_code == 200
    assert SESSION_KEY in owner_client.session


@pytest.mark.django_db
def test_logout_by_post_signs_out(owner_client):
    response = owner_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert SESSION_KEY not in owner_client.session
    assert owner_client.get("/dashboard/").status_code == 302
