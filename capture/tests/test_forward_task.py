"""The forward task as a worker runs it: a temporary failure is retried later with backoff, then given up."""

import pytest
from celery.exceptions import Retry

from capture.models import Delivery, Message
from capture.services import forwarding_rule_create
from capture.tasks import forward_deliver, retry_countdown

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery(owner, make_domain, http_sink, settings):
    settings.FORWARD_ALLOW_PRIVATE_URLS = True
    domain = make_domain(owner, "hooks.test")
    rule = forwarding_rule_create(domain=domain, local_part="", kind="webhook", url=http_sink.url)
    message = Message.objects.create(
        account=owner, domain=domain, kind="inbound", rcpt_to=["a@hooks.test"], size=3, raw=b"x\r\n"
    )
    return Delivery.objects.create(message=message, rule=rule, kind="webhook", target=http_sink.url)


@pytest.fixture
def retries(monkeypatch):
    """Record the countdowns a worker would schedule instead of publishing to a broker."""
    countdowns = []

    def retry(countdown):
        countdowns.append(countdown)
        return Retry(when=countdown)

    monkeypatch.setattr(forward_deliver, "retry", retry)
    return countdowns


def test_a_temporary_failure_is_retried_later_with_backoff(delivery, http_sink, retries, settings):
    settings.FORWARD_RETRY_BACKOFF = 15
    http_sink.statuses = [503]
    with pytest.raises(Retry):
        forward_deliver.run(delivery.pk)
    [countdown] = retries
    assert 7.5 <= countdown <= 15
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        "pending",
        1,
        "The endpoint answered HTTP 503.",
    )


def test_the_last_retry_gives_up_and_marks_the_forward_failed(delivery, http_sink, retries, settings):
    settings.FORWARD_MAX_RETRIES = 3
    http_sink.statuses = [503]
    forward_deliver.push_request(retries=3)
    try:
        assert forward_deliver.run(delivery.pk) == "failed"
    finally:
        forward_deliver.pop_request()
    assert retries == []
    delivery.refresh_from_db()
    assert delivery.status == "failed"


def test_the_backoff_doubles_and_stops_at_an_hour(settings):
    settings.FORWARD_RETRY_BACKOFF = 10
    assert all(20 <= retry_countdown(2) <= 40 for _ in range(20))
    assert all(1800 <= retry_countdown(20) <= 3600 for _ in range(20))
