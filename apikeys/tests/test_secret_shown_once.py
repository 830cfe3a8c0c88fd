"""The key appears in the response that created it and nowhere else, ever."""

import logging

import pytest
from django.db import connection


def dump_every_table() -> str:
    """Every row of every table in the database, as text."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            parts.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(parts)


@pytest.fixture
def staff_client(client, make_account):
    from django.test import Client

    staff = make_account("support", is_staff=True, is_superuser=True)
    staff_client = Client()
    staff_client.force_login(staff)
    return staff_client


@pytest.mark.django_db
def test_the_key_is_in_the_create_response_and_nowhere_else(team_client, staff_client, caplog):
    caplog.set_level(logging.DEBUG)
    response = team_client.post("/api-keys/create/", {"name": "ci"})
    secret = response.context["secret"]
    assert secret in response.content.decode()

    team_client.get("/api/me", headers={"Mailsac-Key": secret})
    team_client.get("/api/me", {"_mailsacKey": secret})

    assert secret not in team_client.get("/api-keys/").content.decode()
    assert secret not in team_client.get("/dashboard/").content.decode()
    admin_list = staff_client.get("/admin/apikeys/apikey/").content.decode()
    assert "ci" in admin_list
    assert secret not in admin_list
    from apikeys.models import ApiKey

    key = ApiKey.objects.get(name="ci")
    assert secret not in staff_client.get(f"/admin/apikeys/apikey/{key.pk}/change/").content.decode()
    assert secret not in dump_every_table()
    assert secret not in caplog.text
    assert secret[2:] not in dump_every_table()
