"""Account Deletion Request: immediate lock-out, then a purge that leaves nothing behind."""

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.db import models
from django.test import Client
from django.utils import timezone

from accounts.deletion import account_id_hash, account_purge
from accounts.models import Account, DeletionRequest, Domain, Invoice
from apikeys.services import api_key_create
from capture.models import Message
from capture.services import Incoming, message_capture
from conftest import PASSWORD, sign_in
from usage.models import Direction, Service
from usage.services import record

# The purge is a Celery task: run its real code in process, in both modes.
pytestmark = pytest.mark.usefixtures("celery_eager")


@pytest.fixture
def doomed(team_owner):
    """The team owner with something in every part of the product."""
    key, secret = api_key_create(account=team_owner, name="ci")
    key.website_login = True
    key.save()
    domain = Domain.objects.create(account=team_owner, name="doomed.example")
    record(account=team_owner, service=Service.API, key=key)
    message_capture(
        key_id=key.pk,
        incoming=Incoming(
            mail_from="app@example.net",
            rcpt_tos=["teamowner@example.com"],
            raw=b"Subject: hello teamowner\r\nTo: teamowner@example.com\r\n\r\nHi.\r\n",
            peer="127.0.0.1",
            tls=True,
            received=timezone.now(),
        ),
    )
    record(account=team_owner, service=Service.CAPTURE, key=key, domain=domain, direction=Direction.INBOUND, size=512)
    Invoice.objects.create(
        account=team_owner,
        number="MS-TEST-1",
        period="2026-10-01",
        plan="business",
        plan_price_cents=9900,
        quota=1,
        amount_cents=9900,
        currency="USD",
        payment_method="invoice",
        account_name=team_owner.username,
        bill_to_email=team_owner.email,
        bill_to_company="Doomed Ltd",
        due="2026-11-30",
    )
    return team_owner, key, secret


def request_deletion(client, account_id="teamowner"):
    return client.post("/account/delete/", {"account_id": account_id})


def leftovers(account_pk: int, texts: list[str]) -> list[str]:
    """Rows of any model that point at the account or carry its Account ID or email."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model is DeletionRequest:
            continue
        for field in model._meta.concrete_fields:
            related = getattr(field, "related_model", None)
            if related is not None and issubclass(related, Account):
                if model._default_manager.filter(**{field.attname: account_pk}).exists():
                    found.append(f"{model.__name__}.{field.name}")
            elif isinstance(field, models.CharField | models.TextField | models.EmailField):
                for text in texts:
                    if model._default_manager.filter(**{f"{field.name}__icontains": text}).exists():
                        found.append(f"{model.__name__}.{field.name} contains {text!r}")
    return found


def redis_leftovers(account_pk: int) -> list[str]:
    if not settings.REDIS_URL:
        return []
    from accounts.redis_client import redis_client
    from usage import redis_keys

    client = redis_client()
    keys = [key for pattern in redis_keys.account_keys(account_pk) for key in client.scan_iter(match=pattern)]
    bucket_pattern = redis_keys.PATTERNS[0].format(account_id=account_pk)
    members = [member for member, _ in client.zscan_iter(redis_keys.BUCKETS, match=bucket_pattern)]
    return keys + members


@pytest.mark.django_db
def test_the_deletion_page_explains_what_goes_and_that_it_cannot_be_undone(team_client):
    body = team_client.get("/account/delete/").content.decode()
    assert "This cannot be undone" in body
    assert "tax law" in body
    assert 'name="account_id"' in body


@pytest.mark.django_db
def test_the_details_page_links_the_deletion_request(team_client):
    assert 'href="/account/delete/"' in team_client.get("/account/").content.decode()


@pytest.mark.django_db
def test_right_after_the_request_the_key_fails_and_every_session_is_anonymous(doomed, team_client):
    account, _, secret = doomed
    other_browser = sign_in(Client(), account)
    key_browser = Client()
    key_browser.post("/api-key-login/", {"account_id": "teamowner", "key_name": "ci", "api_key": secret})
    assert key_browser.get("/dashboard/").status_code == 200

    response = request_deletion(team_client)  # on_commit work (the purge) has not run
    assert response.status_code == 302
    assert response["Location"] == "/account/deleted/"

    assert Client().get("/api/me", headers={"Mailsac-Key": secret}).status_code == 401
    for browser in (team_client, other_browser, key_browser):
        response = browser.get("/dashboard/")
        assert response.status_code == 302
        assert response.wsgi_request.user.is_anonymous
    assert Client().post("/accounts/login/", {"login": "teamowner", "password": PASSWORD}).status_code == 200
    assert (
        Client().post("/accounts/login/", {"login": "teamowner@example.com", "password": PASSWORD}).status_code == 200
    )


@pytest.mark.django_db
def test_a_confirmation_email_goes_to_the_account_email(doomed, team_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_deletion(team_client)
    sent = [m for m in mail.outbox if m.to == ["teamowner@example.com"]]
    assert len(sent) == 1
    assert "teamowner" in sent[0].subject
    assert "deleted" in sent[0].body
    assert sent[0].alternatives  # an HTML part too


@pytest.mark.django_db
def test_the_purge_leaves_nothing_of_the_account_in_any_model_or_redis_key(
    doomed, team_client, django_capture_on_commit_callbacks
):
    account, _, _ = doomed
    texts = [account.username, account.email]
    assert leftovers(account.pk, texts)  # the walk does see the account before
    assert bool(redis_leftovers(account.pk)) == bool(settings.REDIS_URL)
    with django_capture_on_commit_callbacks(execute=True):
        request_deletion(team_client)
    deletion = DeletionRequest.objects.get()
    assert deletion.purged_at is not None
    assert deletion.account_id_hash == account_id_hash("teamowner")
    assert leftovers(account.pk, texts) == []
    assert redis_leftovers(account.pk) == []
    invoice = Invoice.objects.get(number="MS-TEST-1")
    assert (invoice.account_id, invoice.account_name, invoice.bill_to_email) == (None, "", "")
    assert invoice.amount_cents == 9900
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_the_purge_run_twice_ends_in_the_same_state(doomed, team_client, django_capture_on_commit_callbacks):
    account, _, _ = doomed
    with django_capture_on_commit_callbacks(execute=True):
        request_deletion(team_client)
    deletion = DeletionRequest.objects.get()
    purged_at = deletion.purged_at
    account_purge(deletion_request_id=deletion.pk)
    deletion.refresh_from_db()
    assert deletion.purged_at == purged_at
    assert leftovers(account.pk, [account.username, account.email]) == []


@pytest.mark.django_db
def test_a_purge_killed_halfway_completes_when_run_again(doomed, team_client, monkeypatch):
    from accounts import deletion as deletion_module

    account, _, _ = doomed
    request_deletion(team_client)  # the purge task is left for this test to run
    deletion = DeletionRequest.objects.get()

    def crash(account_pk):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(deletion_module, "account_invoices_anonymise", crash)
    with pytest.raises(RuntimeError):
        account_purge(deletion_request_id=deletion.pk)
    deletion.refresh_from_db()
    assert deletion.purged_at is None
    assert Account.objects.filter(pk=account.pk).exists()

    monkeypatch.undo()
    account_purge(deletion_request_id=deletion.pk)
    deletion.refresh_from_db()
    assert deletion.purged_at is not None
    assert leftovers(account.pk, [account.username, account.email]) == []
    assert redis_leftovers(account.pk) == []


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["", "teamown", "teamowner2", "stranger", "team owner"])
def test_a_wrong_or_partial_account_id_changes_nothing(doomed, team_client, typed):
    account, _, secret = doomed
    response = request_deletion(team_client, typed)
    assert response.status_code == 200
    assert response.context["form"].has_error("account_id")
    account.refresh_from_db()
    assert account.is_active and account.username == "teamowner"
    assert not DeletionRequest.objects.exists()
    assert Client().get("/api/me", headers={"Mailsac-Key": secret}).status_code == 200


@pytest.mark.django_db
def test_deletion_without_recent_authentication_changes_nothing(doomed):
    account, _, _ = doomed
    client = Client()
    client.force_login(account)
    response = request_deletion(client)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    account.refresh_from_db()
    assert account.is_active
    assert not DeletionRequest.objects.exists()


@pytest.mark.django_db
def test_a_key_session_gets_403_and_deletes_nothing(doomed, key_client):
    account, _, _ = doomed
    assert key_client.get("/account/delete/").status_code == 403
    assert request_deletion(key_client).status_code == 403
    account.refresh_from_db()
    assert account.is_active
    assert not DeletionRequest.objects.exists()


@pytest.mark.django_db
def test_signing_up_again_with_the_same_account_id_and_email_starts_empty(
    doomed, team_client, settings, django_capture_on_commit_callbacks
):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    with django_capture_on_commit_callbacks(execute=True):
        request_deletion(team_client)
    fresh = Client()
    response = fresh.post(
        "/accounts/signup/",
        {
            "username": "teamowner",
            "email": "teamowner@example.com",
            "password1": "a-long-Passphrase-42",
            "password2": "a-long-Passphrase-42",
        },
    )
    assert response.status_code == 302
    account = Account.objects.get(username="teamowner")
    assert account.plan == "free"
    assert not account.api_keys.exists()
    assert not account.domains.exists()
    assert not account.invoices.exists()
    assert EmailAddress.objects.filter(user=account).count() == 1
    body = fresh.get("/api-keys/").content.decode()
    assert "No API keys yet" in body


@pytest.mark.django_db
def test_support_staff_find_a_deletion_request_by_account_id(doomed, team_client, make_account):
    request_deletion(team_client)
    staff = make_account("support", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(staff)
    found = admin.get("/admin/accounts/deletionrequest/", {"q": "TeamOwner"}).content.decode()
    assert account_id_hash("teamowner") in found
    assert "teamowner@example.com" not in found
    missing = admin.get("/admin/accounts/deletionrequest/", {"q": "someoneelse"}).content.decode()
    assert account_id_hash("teamowner") not in missing
