"""Forward URLs: http(s) only, never our own network (SSRF), unless a setting allows it."""

import pytest

from capture.webhooks import DeliveryFailed, UnsafeURL, check_url, post_json, resolve_public


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10:8080/hook",
        "http://172.16.5.4/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://localhost/hook",
        "http://metadata.internal/hook",
        "http://printer.local/hook",
        "http://intranet/hook",
    ],
)
def test_a_url_pointing_at_a_private_or_local_host_is_refused(url, settings):
    settings.FORWARD_ALLOW_PRIVATE_URLS = False
    with pytest.raises(UnsafeURL):
        check_url(url)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://example.com/x", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("https:///path", "no host"),
        ("https://user:secret@example.com/x", "user names and passwords"),
        ("https://example.com:99999/x", "port"),
    ],
)
def test_a_malformed_url_is_refused_with_a_reason(url, problem):
    with pytest.raises(UnsafeURL, match=problem):
        check_url(url)


def test_a_public_url_is_accepted(settings):
    settings.FORWARD_ALLOW_PRIVATE_URLS = False
    check_url("https://hooks.slack.com/services/T000/B000/XXXX")
    check_url("http://93.184.216.34:8080/hook")


def test_loopback_is_accepted_when_the_setting_allows_it(settings):
    settings.FORWARD_ALLOW_PRIVATE_URLS = True
    check_url("http://127.0.0.1:8080/hook")


def test_a_name_resolving_to_loopback_is_refused_at_delivery(settings):
    settings.FORWARD_ALLOW_PRIVATE_URLS = False
    with pytest.raises(DeliveryFailed) as refused:
        resolve_public("localhost", 80)
    assert refused.value.retry is False


def test_posting_to_a_refused_url_fails_for_good_without_connecting(settings):
    settings.FORWARD_ALLOW_PRIVATE_URLS = False
    with pytest.raises(DeliveryFailed) as refused:
        post_json("http://127.0.0.1:9/hook", {"a": 1})
    assert refused.value.retry is False


def test_a_connection_refused_is_worth_a_retry(settings):
    settings.FORWARD_ALLOW_PRIVATE_URLS = True
    with pytest.raises(DeliveryFailed) as failed:
        post_json("http://127.0.0.1:9/hook", {"a": 1}, timeout=5)
    assert failed.value.retry is True
