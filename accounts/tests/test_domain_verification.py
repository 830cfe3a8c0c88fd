import pytest

from accounts.models import Domain
from accounts.services import domain_verify
from accounts.tasks import domains_check_pending


@pytest.fixture
def pending(owner):
    return Domain.objects.create(account=owner, name="verify.example")


@pytest.mark.django_db
def test_verify_now_succeeds_when_the_txt_record_is_published(owner_client, pending, dns_server):
    dns_server.set_txt("verify.example", "v=spf1 -all", pending.verification_txt)
    response = owner_client.post("/domains/verify.example/verify/")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.verified
    assert pending.last_check_error == ""
    body = owner_client.get("/domains/").content.decode()
    assert "verify.example is verified." in body
    assert "Verified" in body


@pytest.mark.django_db
def test_verify_now_fails_and_says_why_when_the_record_is_missing(owner_client, pending, dns_server):
    dns_server.set_txt("verify.example", "v=spf1 -all")
    owner_client.post("/domains/verify.example/verify/")
    pending.refresh_from_db()
    assert not pending.verified
    assert pending.last_checked_at is not None
    assert "none is mailsac-verification=" in pending.last_check_error
    assert "is not verified yet" in owner_client.get("/domains/").content.decode()


@pytest.mark.django_db
def test_a_wrong_token_does_not_verify(pending, dns_server):
    dns_server.set_txt("verify.example", "mailsac-verification=someone-elses-token")
    domain = domain_verify(domain_id=pending.pk)
    assert not domain.verified
    assert "does not match" in domain.last_check_error


@pytest.mark.django_db
def test_a_domain_missing_from_dns_does_not_verify(pending, dns_server):
    domain = domain_verify(domain_id=pending.pk)
    assert not domain.verified
    assert "does not exist in DNS" in domain.last_check_error


@pytest.mark.django_db
def test_a_failing_name_server_does_not_verify(pending, dns_server):
    dns_server.fail("verify.example")
    domain = domain_verify(domain_id=pending.pk)
    assert not domain.verified
    assert "SERVFAIL" in domain.last_check_error


@pytest.mark.django_db
def test_a_record_split_into_several_strings_is_joined(pending, dns_server):
    value = pending.verification_txt
    dns_server.set_txt("verify.example", [value[:20], value[20:]])
    assert domain_verify(domain_id=pending.pk).verified


@pytest.mark.django_db
def test_an_internationalised_domain_is_looked_up_by_its_idna_name(owner, dns_server):
    domain = Domain.objects.create(account=owner, name="xn--bcher-kva.example")
    dns_server.set_txt("bücher.example", domain.verification_txt)
    assert domain_verify(domain_id=domain.pk).verified


@pytest.mark.django_db
def test_the_periodic_task_verifies_pending_domains_once_their_records_appear(
    owner, stranger, dns_server, celery_eager
):
    ready = Domain.objects.create(account=owner, name="ready.example")
    waiting = Domain.objects.create(account=stranger, name="waiting.example")
    dns_server.set_txt("ready.example", ready.verification_txt)
    assert domains_check_pending() == 2
    ready.refresh_from_db()
    waiting.refresh_from_db()
    assert ready.verified
    assert not waiting.verified
    assert waiting.last_checked_at is not None
    assert domains_check_pending() == 1  # only the one still pending is looked up again


@pytest.mark.django_db
def test_verifying_again_keeps_the_first_verification_time(pending, dns_server):
    dns_server.set_txt("verify.example", pending.verification_txt)
    first = domain_verify(domain_id=pending.pk).verified_at
    dns_server.remove("verify.example")
    assert domain_verify(domain_id=pending.pk).verified_at == first


@pytest.mark.django_db
def test_verifying_a_removed_domain_does_nothing(pending, dns_server):
    pending.delete()
    assert domain_verify(domain_id=pending.pk) is None
