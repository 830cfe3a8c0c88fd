import pytest
from django.test import RequestFactory

from accounts.models import Domain
from accounts.views_domains import domain_list


@pytest.mark.django_db
def test_the_domain_list_shows_each_domain_and_its_txt_record(owner_client, owner):
    domain = Domain.objects.create(account=owner, name="example.com")
    body = owner_client.get("/domains/").content.decode()
    assert "example.com" in body
    assert domain.verification_txt in body
    assert "Pending verification" in body
    assert 'action="/domains/add/"' in body
    assert "1 in use" in body


@pytest.mark.django_db
def test_adding_a_domain_stores_it_in_idna_form_and_shows_it(owner_client, owner):
    response = owner_client.post("/domains/add/", {"name": "Bücher.Example."})
    assert response.status_code == 302
    domain = Domain.objects.get(account=owner)
    assert domain.name == "xn--bcher-kva.example"
    assert not domain.verified
    body = owner_client.get(response["Location"]).content.decode()
    assert "Added bücher.example" in body
    assert domain.verification_txt in body


@pytest.mark.django_db
def test_adding_an_invalid_domain_shows_the_error_and_keeps_the_input(owner_client, owner):
    response = owner_client.post("/domains/add/", {"name": "https://example.com/path"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "without http:// or https://" in body
    assert 'value="https://example.com/path"' in body
    assert 'aria-invalid="true"' in body
    assert not Domain.objects.exists()


@pytest.mark.django_db
def test_a_domain_another_account_holds_is_refused_without_saying_whose(owner_client, owner, stranger):
    Domain.objects.create(account=stranger, name="taken.example")
    response = owner_client.post("/domains/add/", {"name": "TAKEN.example"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "already registered to an account" in body
    assert "stranger" not in body
    assert not Domain.objects.filter(account=owner).exists()


@pytest.mark.django_db
def test_adding_a_domain_twice_says_it_is_already_yours(owner_client, owner):
    Domain.objects.create(account=owner, name="mine.example")
    response = owner_client.post("/domains/add/", {"name": "mine.example"})
    assert "You have already added this domain." in response.content.decode()
    assert Domain.objects.filter(account=owner).count() == 1


@pytest.mark.django_db
def test_an_individual_plan_holds_its_set_number_of_domains(owner_client, owner, settings):
    assert owner.limits.domains == settings.PLANS["indie"]["domains"] == 3
    for index in range(3):
        assert owner_client.post("/domains/add/", {"name": f"d{index}.example"}).status_code == 302
    response = owner_client.post("/domains/add/", {"name": "d3.example"})
    assert response.status_code == 200
    assert "Indie plan holds 3 custom domains" in response.content.decode()
    assert owner.domains.count() == 3


@pytest.mark.django_db
def test_a_team_plan_holds_more_domains_than_an_individual_plan(team_client, team_owner):
    for index in range(4):
        assert team_client.post("/domains/add/", {"name": f"d{index}.example"}).status_code == 302
    assert team_owner.domains.count() == 4
    assert team_owner.limits.domains > 3


@pytest.mark.django_db
def test_the_free_plan_holds_no_domains_and_points_to_an_upgrade(client, make_account):
    account = make_account("freebie", plan="free")
    client.force_login(account)
    body = client.get("/domains/").content.decode()
    assert "includes no custom domains" in body
    assert "/features/" in body
    response = client.post("/domains/add/", {"name": "free.example"})
    assert "Free plan includes no custom domains" in response.content.decode()
    assert not Domain.objects.exists()


@pytest.mark.django_db
def test_removing_a_domain_asks_for_confirmation_first(owner_client, owner):
    Domain.objects.create(account=owner, name="gone.example")
    response = owner_client.get("/domains/gone.example/remove/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Remove the domain gone.example?" in body
    assert "message statistics are kept" in body
    assert Domain.objects.filter(name="gone.example").exists()


@pytest.mark.django_db
def test_confirming_removal_removes_the_domain(owner_client, owner):
    Domain.objects.create(account=owner, name="gone.example")
    response = owner_client.post("/domains/gone.example/remove/")
    assert response.status_code == 302
    assert not Domain.objects.filter(name="gone.example").exists()
    assert "Its message statistics stay" in owner_client.get("/domains/").content.decode()


@pytest.mark.django_db
def test_a_strangers_domain_answers_404_everywhere(owner_client, stranger):
    Domain.objects.create(account=stranger, name="theirs.example")
    assert owner_client.get("/domains/theirs.example/remove/").status_code == 404
    assert owner_client.post("/domains/theirs.example/remove/").status_code == 404
    assert owner_client.post("/domains/theirs.example/verify/").status_code == 404
    assert Domain.objects.filter(name="theirs.example").exists()


@pytest.mark.django_db
def test_domain_pages_require_sign_in(client):
    for url in ["/domains/", "/domains/x.example/remove/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_a_key_session_sees_the_list_without_add_verify_or_remove_controls(owner):
    Domain.objects.create(account=owner, name="pending.example")
    request = RequestFactory().get("/domains/")
    request.user = owner
    request.api_key_session = object()  # what the apikeys middleware sets for an API Key Login
    request._messages = []
    body = domain_list(request).content.decode()
    assert "pending.example" in body
    assert "/domains/add/" not in body
    assert "Verify now" not in body
    assert "/remove/" not in body


def test_only_the_domain_list_is_open_to_key_sessions():
    from accounts import views_domains
    from accounts.access import allows_key_session

    assert allows_key_session(views_domains.domain_list)
    for view in [views_domains.add, views_domains.verify, views_domains.remove]:
        assert not allows_key_session(view)


def test_no_usage_record_is_deleted_with_a_domain():
    """Message statistics keep a domain's id and name, never a foreign key, so removal keeps history."""
    from django.apps import apps

    relations = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_app_config("usage").get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.related_model is Domain and not field.auto_created
    ]
    assert relations == []
