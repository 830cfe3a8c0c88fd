"""GET /api/domains, through the real key check (apikeys) and the accounts router."""

import pytest
from django.utils import timezone

from accounts.models import Domain
from apikeys.services import api_key_create


@pytest.mark.django_db
def test_api_domains_lists_the_keys_account_domains_in_mailsac_fields(client, team_owner, stranger):
    Domain.objects.create(account=team_owner, name="b.example")
    verified = Domain.objects.create(account=team_owner, name="a.example", verified_at=timezone.now())
    Domain.objects.create(account=stranger, name="theirs.example")
    _, secret = api_key_create(account=team_owner, name="ci")
    response = client.get("/api/domains", headers={"Mailsac-Key": secret})
    assert response.status_code == 200
    body = response.json()
    assert [domain["_id"] for domain in body] == ["a.example", "b.example"]
    first = body[0]
    assert first["verified"] is True
    assert first["isPrivate"] is True
    assert first["verificationTxt"] == verified.verification_txt
    assert first["owner"] == "teamowner"
    assert first["created"].startswith(str(verified.created.year))
    assert body[1]["verified"] is False


@pytest.mark.django_db
def test_api_domains_accepts_the_key_as_a_query_parameter(client, team_owner):
    _, secret = api_key_create(account=team_owner, name="ci")
    response = client.get(f"/api/domains?_mailsacKey={secret}")
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.django_db
def test_api_domains_without_a_key_answers_401_with_the_error_body(client):
    response = client.get("/api/domains")
    assert response.status_code == 401
    assert set(response.json()) == {"message", "error", "validationErrors"}


def test_the_domain_schema_follows_mailsacs_field_types(client, db):
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["DomainOut"]["properties"]
    assert schema["_id"]["type"] == "string"
    assert schema["created"]["format"] == "date-time"
    assert schema["verified"]["type"] == "boolean"
    assert schema["isPrivate"]["type"] == "boolean"
    assert schema["verificationTxt"]["type"] == "string"
