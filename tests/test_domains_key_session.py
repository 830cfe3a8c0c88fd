"""A team member signed in by key sees the domain list, read-only, and nothing of billing or features."""

import pytest

from accounts.models import Domain


@pytest.mark.django_db
def test_a_key_session_sees_the_domains_without_add_verify_or_remove(key_client, team_owner):
    Domain.objects.create(account=team_owner, name="pending.example")
    response = key_client.get("/domains/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "pending.example" in body
    assert "mailsac-verification=" in body
    assert "/domains/add/" not in body
    assert "Verify now" not in body
    assert "/remove/" not in body


@pytest.mark.django_db
def test_a_key_session_is_refused_billing_features_and_domain_changes(key_client, team_owner):
    Domain.objects.create(account=team_owner, name="pending.example")
    for url in ["/billing/", "/features/", "/domains/pending.example/remove/"]:
        assert key_client.get(url).status_code == 403, url
    assert key_client.post("/domains/pending.example/remove/").status_code == 403
    assert Domain.objects.filter(name="pending.example").exists()
