"""`python manage.py capture_smtp`: refuses to start without a certificate; serves, then stops on SIGTERM."""

import os
import signal
import smtplib
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_the_command_refuses_to_start_without_a_certificate(settings, tmp_path):
    settings.SMTP_TLS_CERT = str(tmp_path / "missing.pem")
    with pytest.raises(CommandError, match="make cert"):
        call_command("capture_smtp")


def test_the_command_serves_starttls_and_stops_cleanly_on_sigterm(tls_files, client_tls, tmp_path):
    ports = {name: free_port() for name in ("SMTP_CAPTURE_PORT", "SMTP_INBOUND_PORT", "CAPTURE_WS_PORT")}
    env = dict(os.environ, SMTP_TLS_CERT=str(tls_files[0]), SMTP_TLS_KEY=str(tls_files[1]), VAR_DIR=str(tmp_path))
    env.update({name: str(port) for name, port in ports.items()})
    process = subprocess.Popen(
        [sys.executable, "manage.py", "capture_smtp"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 30
        while not any(line.strip().startswith("inbound:") for line in lines):
            assert time.monotonic() < deadline, "capture_smtp did not start: " + "".join(lines)
            line = process.stdout.readline()
            assert line or process.poll() is None, "capture_smtp exited: " + "".join(lines)
            lines.append(line)
        with smtplib.SMTP("127.0.0.1", ports["SMTP_CAPTURE_PORT"], timeout=10) as client:
            client.ehlo()
            assert client.has_extn("starttls")
            client.starttls(context=client_tls)
            client.ehlo()
            assert client.has_extn("auth")
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "Stopping" in output
