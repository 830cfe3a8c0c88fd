"""Security headers on every kind of response: the Content-Security-Policy, framing, referrer, sniffing."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/api-key-login/", "/no-such-page/", "/api/docs"]
SIGNED_IN_PAGES = ["/dashboard/", "/api-keys/", "/usage/", "/domains/", "/billing/", "/features/", "/account/"]


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_a_content_security_policy_without_inline_code(client, path):
    directives = policy(client.get(path))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert not any("unsafe" in source for sources in directives.values() for source in sources)


@pytest.mark.django_db
def test_only_the_api_docs_add_data_images_for_swagger_ui(client):
    assert policy(client.get("/api/docs"))["img-src"] == ["'self'", "data:"]
    assert policy(client.get("/"))["img-src"] == ["'self'"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_in_pages_send_the_same_policy(team_client, path):
    response = team_client.get(path)
    assert response.status_code == 200
    assert policy(response)["script-src"] == ["'self'"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/no-such-page/", "/api/me"])
def test_every_response_forbids_framing_and_sniffing_and_keeps_the_referrer_on_site(client, path):
    response = client.get(path)
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_a_key_sessions_403_page_carries_the_policy_too(key_client):
    response = key_client.get("/billing/")
    assert response.status_code == 403
    assert policy(response)["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_a_report_address_from_the_environment_joins_the_policy(client, settings):
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "report-uri": ["/csp-reports/"]}
    }
    assert policy(client.get("/"))["report-uri"] == ["/csp-reports/"]


def test_check_deploy_is_clean_with_production_variables(tmp_path):
    """Secure and HTTP-only cookies, HSTS, SSL redirect: what `check --deploy` asks of production."""
    # As production runs: no test-only switches (the browser fixture sets DJANGO_ALLOW_ASYNC_UNSAFE).
    test_only = {"HTTPS_ONLY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in test_only}
    env.update(
        ALLOWED_HOSTS="accounts.example.com",
        SECRET_KEY=secrets.token_urlsafe(50),
        API_KEY_PEPPER=secrets.token_urlsafe(50),
        VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# Pages keep scripts in static/js and styles in static/css; only emails and the downloaded
# invoice (a file opened from disk) carry their own styles.
OWN_STYLES_ALLOWED = {"emails", "accounts/invoice_document.html", "accounts/invoice_sheet.css"}
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style[\s>]", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I), "inline event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_carries_inline_script_or_style():
    root = Path(settings.BASE_DIR) / "templates"
    found = []
    for path in sorted(root.rglob("*.html")):
        relative = path.relative_to(root).as_posix()
        if relative in OWN_STYLES_ALLOWED or relative.split("/")[0] in OWN_STYLES_ALLOWED:
            continue
        text = path.read_text()
        found += [f"{relative}: {what}" for pattern, what in INLINE if pattern.search(text)]
    assert not found, "\n".join(found)
