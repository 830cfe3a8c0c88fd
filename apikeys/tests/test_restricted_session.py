"""A key session's POSTs to the four restricted areas answer 403 and change nothing."""

import pytest
from django.db import connection

from apikeys.services import api_key_create


def snapshot() -> list:
    """Every row of every table except sessions (a request may touch its own session)."""
    rows = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table == "django_session":
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows.append((table, sorted(map(repr, cursor.fetchall()))))
    return rows


@pytest.mark.django_db
def test_a_key_sessions_posts_to_keys_billing_features_and_domains_change_nothing(key_client, team_owner, viewer_key):
    other, _ = api_key_create(account=team_owner, name="other")
    attempts = [
        ("/api-keys/create/", {"name": "sneaky"}),
        (f"/api-keys/{other.pk}/delete/", {}),
        (f"/api-keys/{other.pk}/website-login/", {"enabled": "on"}),
        (f"/api-keys/{viewer_key[0].pk}/website-login/", {}),
        ("/billing/", {}),
        ("/features/plan/", {"plan": "enterprise"}),
        ("/features/switches/", {"overage_allowed": "on"}),
        ("/domains/add/", {"name": "sneaky.example"}),
        ("/domains/example.org/remove/", {}),
        ("/domains/example.org/verify/", {}),
        ("/account/", {"invoice_email": "x@evil.test", "invoice_company": "Evil", "invoice_address": ""}),
        ("/accounts/password/change/", {"oldpassword": "x", "password1": "Abcdefgh-123", "password2": "Abcdefgh-123"}),
        ("/accounts/email/", {"email": "evil@example.com", "action_add": "1"}),
    ]
    before = snapshot()
    for path, data in attempts:
        assert key_client.post(path, data).status_code == 403, path
    assert snapshot() == before
