"""Messages per second taken by the Email Capture SMTP service, metering on against metering off.

Run: .venv/bin/python bench/capture.py   (PostgreSQL and Redis on loopback; openssl)

One process runs two copies of the SMTP service side by side, the same in all but
metering (one Redis round trip per message in production). A client process opens
SESSIONS sessions to one of them (STARTTLS, AUTH PLAIN with an API key) and sends
MESSAGES messages of 2 KB through them, timed from the first message to the last.
Rounds alternate between the two services; the best round of each counts. Prints
messages/s of each and the ratio (goal >= 0.8).
"""

import os
import smtplib
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PYTHON, ROOT, bench_env, prepare_database

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "2000"))
SESSIONS = int(os.environ.get("BENCH_SESSIONS", "4"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
DOMAIN = "bench-capture.test"


def main():
    env = bench_env()
    prepare_database(env)
    subprocess.run([PYTHON, __file__, "--serve"], cwd=ROOT, env=env, check=True)


def serve():
    """The measuring process: the two services in threads, the client in a child process per round."""
    import logging

    import django

    django.setup()
    logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd's per-login deprecation notice
    from django.utils import timezone

    from accounts.models import Account, Domain
    from apikeys.models import ApiKey
    from apikeys.services import api_key_create
    from capture.smtp import CaptureServer, tls_context

    account, _ = Account.objects.get_or_create(username="bench-capture", defaults={"email": "c@example.com"})
    Account.objects.filter(pk=account.pk).update(plan="enterprise", overage_allowed=True)
    ApiKey.objects.filter(account=account).delete()
    Domain.objects.update_or_create(name=DOMAIN, defaults={"account": account, "verified_at": timezone.now()})
    _key, secret = api_key_create(account=account, name="bench")

    folder = Path(tempfile.mkdtemp())
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout", str(key),
         "-out", str(cert), "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    servers = {
        metering: CaptureServer(
            host="127.0.0.1", capture_port=0, tls=tls_context(str(cert), str(key)), metering=metering
        ).start_in_thread()
        for metering in (True, False)
    }
    rounds = {True: [], False: []}
    try:
        for _ in range(ROUNDS):
            for metering, server in servers.items():
                command = [
                    PYTHON,
                    __file__,
                    "--send",
                    str(server.ports["capture"]),
                    str(cert),
                    account.username,
                    secret,
                ]
                result = subprocess.run(command, capture_output=True, text=True, check=True)
                rounds[metering].append(float(result.stdout.strip()))
    finally:
        for server in servers.values():
            server.stop_thread()
    on, off = max(rounds[True]), max(rounds[False])
    print(f"messages of 2 KB, {SESSIONS} sessions, best of {ROUNDS} rounds of {MESSAGES}")
    print(f"metering off : {off:8.0f} messages/s   rounds {', '.join(f'{r:.0f}' for r in rounds[False])}")
    print(f"metering on  : {on:8.0f} messages/s   rounds {', '.join(f'{r:.0f}' for r in rounds[True])}")
    print(f"ratio on/off : {on / off:8.2f}  (goal >= 0.80)")


def send(port: int, cafile: str, account_id: str, secret: str) -> None:
    """The client: SESSIONS authenticated sessions share MESSAGES messages; prints messages/s."""
    context = ssl.create_default_context(cafile=cafile)
    body = b"x" * 76 + b"\r\n"
    raw = f"From: app@example.net\r\nTo: bench@{DOMAIN}\r\nSubject: bench\r\n\r\n".encode() + body * 26
    sessions = []
    for _ in range(SESSIONS):
        client = smtplib.SMTP("127.0.0.1", port, timeout=60)
        client.starttls(context=context)
        client.ehlo()
        client.login(account_id, secret)
        sessions.append(client)
    share = [MESSAGES // SESSIONS + (index < MESSAGES % SESSIONS) for index in range(SESSIONS)]
    start = threading.Barrier(SESSIONS + 1)

    def run(client, count):
        start.wait()
        for _ in range(count):
            client.sendmail("app@example.net", [f"bench@{DOMAIN}"], raw)

    threads = [threading.Thread(target=run, args=pair) for pair in zip(sessions, share, strict=True)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    for client in sessions:
        client.quit()
    print(MESSAGES / elapsed)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve()
    elif sys.argv[1:2] == ["--send"]:
        send(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        main()
