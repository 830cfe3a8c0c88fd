"""Usage test tools: metering switched to the database, fake keys and domains, the flush.

The private Redis servers (`metering_redis`, `private_redis`) are in the root conftest.
Tests that need PostgreSQL skip on SQLite.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from usage.services import usage_flush


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL): concurrent writers, row locks and advisory locks")


@dataclass(frozen=True)
class FakeKey:
    """What `record` needs of a key: its id and name (the ApiKey has both)."""

    pk: int
    name: str


@dataclass(frozen=True)
class FakeDomain:
    pk: int
    name: str


@pytest.fixture
def metering_database(settings):
    """Embedded metering: every event straight to the database."""
    settings.REDIS_URL = ""


@pytest.fixture
def eager_tasks():
    from mailsac_accounts.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def flush_settled():
    """Flush every bucket as if the hour had passed: what the beat task does later."""

    def flush(now=None):
        return usage_flush(now=(now or timezone.now()) + timedelta(hours=2))

    return flush


@pytest.fixture
def api_key(team_owner):
    """A real API key of the team owner and its secret: the tests drive the whole REST stack."""
    from apikeys.services import api_key_create

    return api_key_create(account=team_owner, name="ci")
