"""Deny by default: a key session walks every URL pattern and gets 403 unless a view is allowed.

A page added without a decision (no `key_session_allowed` marker) is caught here.
"""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

from accounts.access import allows_key_session
from apikeys.middleware import SESSIONLESS_PREFIXES

# Values tried for a regex group until one matches it (admin app labels, ids, words).
CANDIDATES = ["1", "x", "accounts", "apikeys", "usage", "auth", "account", "apikey", "abc", "a/b", "2026-01"]
CONVERTER_SAMPLES = {"int": "1", "str": "x", "slug": "x", "path": "x/y", "uuid": str(uuid.uuid4())}


def sample_regex(regex: str) -> str | None:
    """A string matching `regex` (anchors stripped), filling each named group with a candidate."""
    body = regex.lstrip("^").rstrip("$").replace(r"\Z", "")

    def fill(match):
        group = match.group(2)
        for candidate in CANDIDATES:
            if re.fullmatch(group, candidate):
                return candidate
        raise LookupError(group)

    try:
        filled = re.sub(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", fill, body)
    except LookupError:
        return None
    filled = filled.replace("\\", "")
    return filled


def sample_route(route: str) -> str:
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: CONVERTER_SAMPLES.get(m.group(1) or "str", "x"), route)


def sample(pattern) -> str | None:
    if isinstance(pattern, RoutePattern):
        return sample_route(str(pattern))
    if isinstance(pattern, RegexPattern):
        return sample_regex(pattern._regex)
    return None


def walk(patterns, prefix=""):
    for entry in patterns:
        part = sample(entry.pattern)
        if part is None:
            yield prefix + str(entry.pattern), None
            continue
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + part)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + part, entry.callback


def every_page():
    """(path, view that answers it) for every pattern; a shadowed pattern yields the view that wins."""
    pages = list(walk(get_resolver().url_patterns))
    unbuildable = [path for path, callback in pages if callback is None]
    assert not unbuildable, f"add sample values for these patterns: {unbuildable}"
    return [(path, resolve(path).func) for path, _ in pages if not path.startswith(SESSIONLESS_PREFIXES)]


@pytest.mark.django_db
def test_every_url_pattern_not_explicitly_allowed_answers_403_to_a_key_session(key_client):
    pages = every_page()
    assert len(pages) > 40  # the walk really covers the URLconf, admin and allauth included
    wrong = []
    for path, callback in pages:
        if allows_key_session(callback):
            continue
        for method in ("get", "post"):
            response = getattr(key_client, method)(path)
            if response.status_code != 403:
                wrong.append(f"{method.upper()} {path} -> {response.status_code}")
    assert not wrong, "pages not allowed to a key session must answer 403:\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_the_pages_a_key_session_may_use_answer_it(key_client, viewer_key):
    for path in ["/", "/dashboard/", "/api-keys/"]:
        assert key_client.get(path).status_code in (200, 302), path
    assert viewer_key[0].name in key_client.get("/api-keys/").content.decode()


@pytest.mark.django_db
def test_the_allowed_views_are_the_read_only_ones_the_spec_names(key_client):
    allowed = sorted(path for path, callback in every_page() if allows_key_session(callback))
    expected_fragments = ("/dashboard/", "/usage/", "/api-keys/", "/domains/", "/accounts/logout/")
    assert all(path == "/" or path.startswith(expected_fragments) for path in allowed), allowed
    for denied in ("/billing/", "/features/", "/admin/", "/account/", "/api-keys/create/"):
        assert denied not in allowed


@pytest.mark.django_db
def test_a_key_session_logs_out_by_post(key_client):
    response = key_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert key_client.get("/dashboard/").status_code == 302


@pytest.mark.django_db
def test_the_403_page_says_why(key_client):
    response = key_client.get("/billing/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "signed in with the API key “viewer”" in body
    assert "view or modify payment information" in body


@pytest.mark.django_db
def test_a_key_session_sees_no_link_to_a_denied_page(key_client):
    body = key_client.get("/dashboard/").content.decode()
    for denied in ('href="/billing/"', 'href="/features/"', 'href="/account/"', 'href="/admin/'):
        assert denied not in body
    assert 'href="/api-keys/"' in body
