import pytest
from django.conf import settings

from apikeys import keys
from apikeys.models import ApiKey
from apikeys.services import api_key_create

ERROR_FIELDS = {"message", "error", "validationErrors"}


@pytest.fixture
def key_and_secret(team_owner):
    return api_key_create(account=team_owner, name="ci")


def assert_unauthorized(response):
    assert response.status_code == 401
    body = response.json()
    assert set(body) == ERROR_FIELDS
    assert body["error"] == "Unauthorized"
    assert body["validationErrors"] == []


@pytest.mark.django_db
def test_a_missing_key_answers_401_with_the_error_body(client):
    assert_unauthorized(client.get("/api/me"))


@pytest.mark.django_db
def test_a_malformed_key_answers_401_with_the_error_body(client):
    assert_unauthorized(client.get("/api/me", headers={"Mailsac-Key": "not-a-key"}))


@pytest.mark.django_db
def test_a_well_formed_but_unknown_key_answers_401(client, key_and_secret):
    assert_unauthorized(client.get("/api/me", headers={"Mailsac-Key": keys.generate()}))


@pytest.mark.django_db
def test_a_key_with_a_known_identifier_but_wrong_secret_answers_401(client, key_and_secret):
    _, secret = key_and_secret
    body = secret[2:34]
    forged_body = body[:8] + ("a" if body[8] != "a" else "b") + body[9:]
    forged = "k_" + forged_body + keys.checksum(forged_body)
    assert keys.is_well_formed(forged) and keys.lookup_of(forged) == keys.lookup_of(secret)
    assert_unauthorized(client.get("/api/me", headers={"Mailsac-Key": forged}))


@pytest.mark.django_db
def test_a_deleted_key_answers_401_on_the_next_request(client, key_and_secret):
    key, secret = key_and_secret
    assert client.get("/api/me", headers={"Mailsac-Key": secret}).status_code == 200
    key.delete()
    assert_unauthorized(client.get("/api/me", headers={"Mailsac-Key": secret}))


@pytest.mark.django_db
def test_a_key_of_a_deactivated_account_answers_401(client, key_and_secret, team_owner):
    _, secret = key_and_secret
    team_owner.is_active = False
    team_owner.save()
    assert_unauthorized(client.get("/api/me", headers={"Mailsac-Key": secret}))


@pytest.mark.django_db
def test_the_key_works_in_the_mailsackey_query_parameter(client, key_and_secret):
    _, secret = key_and_secret
    response = client.get("/api/me", {"_mailsacKey": secret})
    assert response.status_code == 200
    assert response.json()["_id"] == "teamowner"


@pytest.mark.django_db
def test_api_me_returns_the_account_with_mailsac_field_names(client, team_owner, key_and_secret):
    team_owner.invoice_email = "billing@acme.test"
    team_owner.invoice_company = "Acme"
    team_owner.invoice_address = "1 Main St"
    team_owner.save()
    _, secret = key_and_secret
    body = client.get("/api/me", headers={"Mailsac-Key": secret}).json()
    assert body["_id"] == "teamowner"
    assert body["email"] == "teamowner@example.com"
    assert body["invoiceEmail"] == "billing@acme.test"
    assert body["company"] == "Acme"
    assert body["address"] == "1 Main St"
    assert body["apiKeyName"] == "ci"
    assert body["apiMonthlyLimit"] == team_owner.limits.quota
    assert body["manyKeys"] == 1
    assert body["moAPIDisabled"] == 0
    assert isinstance(body["moAPICount"], int)
    assert body["plan"] == "business"


@pytest.mark.django_db
def test_api_me_says_manykeys_0_on_an_individual_plan(client, owner):
    _, secret = api_key_create(account=owner, name="only")
    assert client.get("/api/me", headers={"Mailsac-Key": secret}).json()["manyKeys"] == 0


@pytest.mark.django_db
def test_api_me_stats_counts_the_keys(client, team_owner, key_and_secret):
    api_key_create(account=team_owner, name="second")
    _, secret = key_and_secret
    body = client.get("/api/me/stats", headers={"Mailsac-Key": secret}).json()
    assert body["keyCount"] == 2
    assert isinstance(body["domains"], list)
    assert isinstance(body["lastMonthOps"], int)


@pytest.mark.django_db
def test_last_used_is_written_once_a_minute_not_per_request(client, key_and_secret, django_assert_max_num_queries):
    key, secret = key_and_secret
    client.get("/api/me", headers={"Mailsac-Key": secret})
    first = ApiKey.objects.get(pk=key.pk).last_used
    assert first is not None
    client.get("/api/me", headers={"Mailsac-Key": secret})
    assert ApiKey.objects.get(pk=key.pk).last_used == first


@pytest.mark.django_db
def test_api_me_uses_at_most_two_queries(client, key_and_secret, django_assert_max_num_queries):
    _, secret = key_and_secret
    client.get("/api/me", headers={"Mailsac-Key": secret})  # writes last_used once
    # Embedded, metering reads the month total and inserts the event: two more queries.
    with django_assert_max_num_queries(2 if settings.REDIS_URL else 4):
        assert client.get("/api/me", headers={"Mailsac-Key": secret}).status_code == 200


@pytest.mark.django_db
def test_an_unknown_api_path_answers_404_with_the_error_body(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert set(response.json()) == ERROR_FIELDS


def test_the_openapi_document_is_valid_openapi_3(client):
    import schemathesis

    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    schema = schemathesis.openapi.from_dict(document)
    operations = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    assert ("GET", "/api/me") in operations
    security = document["components"]["securitySchemes"]
    assert {"in": "header", "name": "Mailsac-Key"}.items() <= next(
        s for s in security.values() if s.get("in") == "header"
    ).items()


def test_the_api_docs_are_served_without_a_cdn(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in body
    assert "cdn" not in body.lower()
