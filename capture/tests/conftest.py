"""Real servers on loopback for the Email Capture tests: the SMTP service, a smarthost and an HTTP sink.

Every server listens on a free port picked by the kernel and is stopped by its fixture.
"""

import json
import smtplib
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from conftest import free_port

PASSWORD = "correct-horse-battery-9"


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 and localhost, made with openssl like `make cert`."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def client_tls(tls_files):
    """What an SMTP client trusts: our test certificate only, hostnames checked."""
    return ssl.create_default_context(cafile=str(tls_files[0]))


@pytest.fixture
def eager_tasks():
    """Celery tasks run in the calling thread, retries included, in both modes."""
    from mailsac_accounts.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


class Smarthost:
    """The relay's upstream: an aiosmtpd server on loopback that keeps what it receives."""

    def __init__(self):
        self.received = []
        self.refuse_rcpt: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_rcpt:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK: queued"


@pytest.fixture
def smarthost(settings):
    from aiosmtpd.controller import Controller

    handler = Smarthost()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, server_hostname="smarthost.test")
    controller.start()
    settings.SMTP_SMARTHOST = f"127.0.0.1:{port}"
    yield handler
    controller.stop()


@pytest.fixture
def capture_server(tls_files, settings, eager_tasks, transactional_db):
    """The SMTP service with all its listeners, and the WebSocket endpoint, on free loopback ports."""
    from capture.smtp import CaptureServer, tls_context

    settings.FORWARD_ALLOW_PRIVATE_URLS = True
    settings.FORWARD_RETRY_BACKOFF = 1
    server = CaptureServer(
        host="127.0.0.1",
        capture_port=0,
        inbound_port=0,
        relay_port=0,
        websocket_port=0,
        tls=tls_context(str(tls_files[0]), str(tls_files[1])),
    )
    server.start_in_thread()
    yield server
    server.stop_thread()


def smtp_session(port: int, context: ssl.SSLContext, *, login: tuple[str, str] | None = None, mechanism="PLAIN"):
    """An smtplib session after STARTTLS, logged in when `login` is given."""
    client = smtplib.SMTP("127.0.0.1", port, timeout=15)
    client.starttls(context=context)
    client.ehlo()
    if login:
        client.user, client.password = login
        client.auth(mechanism, getattr(client, f"auth_{mechanism.lower()}"))
    return client


def message_bytes(*, sender="app@example.net", to="someone@example.org", subject="Hello", body="Hi there.\r\n", size=0):
    """A plain message with CRLF line ends (as it arrives); padded with body lines to exactly `size` bytes."""
    head = f"From: App <{sender}>\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{subject}@test>\r\n\r\n"
    data = (head + body).encode()
    if not size:
        return data
    full, rest = divmod(size - len(data), 78)
    assert full >= 1, "size too small for the headers"
    lines = [b"x" * 76 + b"\r\n"] * full
    if rest == 1:
        lines[-1] = b"x" * 77 + b"\r\n"
    elif rest:
        lines.append(b"y" * (rest - 2) + b"\r\n")
    return data + b"".join(lines)


@pytest.fixture
def make_key(db):
    def make(account, name="capture"):
        from apikeys.services import api_key_create

        return api_key_create(account=account, name=name)

    return make


@pytest.fixture
def make_domain(db):
    def make(account, name, verified=True):
        from accounts.models import Domain

        return Domain.objects.create(account=account, name=name, verified_at=timezone.now() if verified else None)

    return make


class HttpSink:
    """A loopback HTTP server that records every POST and answers with the statuses it is told."""

    def __init__(self):
        self.posts: list[dict] = []
        self.statuses: list[int] = []
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                with sink.lock:
                    status = sink.statuses.pop(0) if sink.statuses else 200
                    sink.posts.append(
                        {"path": self.path, "status": status, "headers": dict(self.headers), "json": json.loads(body)}
                    )
                    sink.arrived.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http_sink():
    sink = HttpSink()
    yield sink
    sink.close()
