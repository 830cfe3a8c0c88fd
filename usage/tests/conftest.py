"""Usage test tools: a private Redis server, metering switched to it or to the database, keys.

The private redis-server is real Redis on a free port, with append-only persistence
like production's, so a test can kill it and start it again without losing counts.
It runs in both test modes; tests that need PostgreSQL skip on SQLite.
"""

import shutil
import socket
import subprocess
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


class PrivateRedis:
    """A redis-server of the test's own, started and killed at will."""

    def __init__(self, directory):
        self.directory = directory
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
                "--maxmemory-policy",
                "noeviction",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        # Block on the server's own log until it accepts connections: no sleeping, no polling.
        for line in self.process.stdout:
            if "Ready to accept connections" in line:
                break
        else:
            raise RuntimeError(f"redis-server on port {self.port} did not start")
        return self

    def kill(self):
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.kill()


@pytest.fixture(scope="session")
def _session_redis(tmp_path_factory):
    server = PrivateRedis(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def metering_redis(_session_redis, settings):
    """Metering on real Redis (a private server, emptied for each test)."""
    from accounts.redis_client import redis_client

    settings.REDIS_URL = _session_redis.url
    client = redis_client()
    client.flushdb()
    return client


@pytest.fixture
def private_redis(tmp_path, settings):
    """Metering on a private Redis server of this test alone, which the test may kill."""
    server = PrivateRedis(tmp_path).start()
    settings.REDIS_URL = server.url
    yield server
    server.stop()


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
