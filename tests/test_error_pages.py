"""403, 404, 429 and 500 in the site's design, with DEBUG off as in production."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path

from mailsac_accounts.urls import urlpatterns as site_patterns


def broken(request):
    raise RuntimeError("a bug")


def forbidden(request):
    raise PermissionDenied("Only support staff can open this.")


# The site's URLconf with two views that fail; the handlers are the site's own.
urlpatterns = [path("broken/", broken), path("forbidden/", forbidden), *site_patterns]
handler403 = "accounts.views.permission_denied"
handler404 = "accounts.views.page_not_found"
handler500 = "accounts.views.server_error"

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def in_design(response) -> str:
    body = response.content.decode()
    assert '<link rel="stylesheet" href="/static/css/app.css">' in body
    assert 'class="topbar"' in body and "<main" in body and 'class="error-code"' in body
    return body


def test_an_unknown_page_answers_404_in_the_design(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in in_design(response)


def test_a_strangers_object_answers_the_same_404(team_client, stranger):
    domain = stranger.domains.create(name="stranger.example")
    response = team_client.get(f"/domains/{domain.name}/remove/")
    assert response.status_code == 404
    assert "Page not found" in in_design(response)


def test_a_refusal_answers_403_in_the_design_and_says_why(client):
    response = client.get("/forbidden/")
    assert response.status_code == 403
    body = in_design(response)
    assert "You cannot open this page" in body
    assert "Only support staff can open this." in body


def test_a_key_session_is_told_what_it_cannot_do(key_client):
    response = key_client.get("/features/")
    assert response.status_code == 403
    body = in_design(response)
    assert "manage account features or change the plan" in body


def test_a_server_error_answers_500_in_the_design_without_a_traceback():
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    body = in_design(response)
    assert "Something went wrong on our side" in body
    assert "RuntimeError" not in body and "a bug" not in body


def test_too_many_key_logins_answer_429_in_the_design(client, viewer_key):
    form = {"account_id": "teamowner", "key_name": "viewer", "api_key": "k_" + "x" * 40}
    statuses = [client.post("/api-key-login/", form).status_code for _ in range(6)]
    assert statuses[-1] == 429
    response = client.post("/api-key-login/", form)
    assert response.status_code == 429
    assert "Too many attempts" in in_design(response)
