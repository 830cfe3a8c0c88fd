import pytest


@pytest.mark.django_db
def test_landing_page_invites_an_anonymous_visitor_to_sign_up(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "/accounts/signup/" in response.content.decode()


@pytest.mark.django_db
def test_landing_page_sends_a_signed_in_user_to_the_dashboard(owner_client):
    response = owner_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


@pytest.mark.django_db
def test_dashboard_requires_sign_in(client):
    assert client.get("/dashboard/").status_code == 302


@pytest.mark.django_db
def test_dashboard_links_the_account_details_page(owner_client):
    response = owner_client.get("/dashboard/")
    assert response.status_code == 200
    assert 'href="/account/"' in response.content.decode()


@pytest.mark.django_db
def test_dashboard_links_only_pages_that_exist(owner_client):
    from django.urls import resolve

    from mailsac_accounts.navigation import nav_items

    response = owner_client.get("/dashboard/")
    for item in nav_items(response.wsgi_request):
        resolve(item["url"])  # raises Resolver404 for a dead link


@pytest.mark.django_db
def test_an_unknown_page_answers_404_in_the_site_design(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
