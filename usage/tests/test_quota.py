from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail

from usage.models import QuotaWarning
from usage.services import api_call_record

from .conftest import FakeKey

pytestmark = pytest.mark.django_db

KEY = FakeKey(pk=1, name="ci")
ERROR_FIELDS = {"message", "error", "validationErrors"}
BACKENDS = ["metering_database", "metering_redis"]


@pytest.fixture
def quota_of_ten(settings):
    settings.PLANS = {plan: {**limits, "quota": 10} for plan, limits in settings.PLANS.items()}


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_call_over_the_quota_is_blocked_and_not_counted(request, backend, quota_of_ten, team_owner):
    request.getfixturevalue(backend)
    states = [api_call_record(account=team_owner, key=KEY) for _ in range(12)]
    assert [state.used for state in states] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10]
    assert [state.blocked for state in states] == [False] * 10 + [True, True]
    assert states[9].remaining == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_overage_allowed_keeps_calls_working_past_the_quota(request, backend, quota_of_ten, team_owner):
    request.getfixturevalue(backend)
    team_owner.overage_allowed = True
    team_owner.save(update_fields=["overage_allowed"])
    states = [api_call_record(account=team_owner, key=KEY) for _ in range(12)]
    assert states[-1].used == 12
    assert not any(state.blocked for state in states)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_api_answers_429_with_retry_after_until_the_next_utc_month(request, backend, quota_of_ten, client, api_key):
    request.getfixturevalue(backend)
    _key, secret = api_key
    with time_machine.travel(datetime(2026, 4, 30, 23, 0, 0, tzinfo=UTC), tick=False):
        for _ in range(10):
            assert client.get("/api/me", headers={"Mailsac-Key": secret}).status_code == 200
        response = client.get("/api/me", headers={"Mailsac-Key": secret})
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert set(response.json()) == ERROR_FIELDS
    assert response.json()["error"] == "Too Many Requests"
    assert (response["X-Quota-Limit"], response["X-Quota-Remaining"]) == ("10", "0")
    with time_machine.travel(datetime(2026, 5, 1, 0, 0, 1, tzinfo=UTC), tick=False):
        assert client.get("/api/me", headers={"Mailsac-Key": secret}).status_code == 200


def test_every_api_response_carries_the_quota_headers(metering_database, quota_of_ten, client, api_key):
    _key, secret = api_key
    ok = client.get("/api/me", headers={"Mailsac-Key": secret})
    bad_month = client.get("/api/usage?month=soon", headers={"Mailsac-Key": secret})
    assert (ok.status_code, bad_month.status_code) == (200, 400)
    assert (ok["X-Quota-Limit"], ok["X-Quota-Remaining"]) == ("10", "9")
    assert (bad_month["X-Quota-Limit"], bad_month["X-Quota-Remaining"]) == ("10", "8")
    assert ok.json()["moAPICount"] == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_warning_emails_go_out_once_at_80_and_once_at_100_percent(
    request, backend, quota_of_ten, eager_tasks, team_owner, django_capture_on_commit_callbacks
):
    request.getfixturevalue(backend)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(14):
            api_call_record(account=team_owner, key=KEY)
    subjects = [message.subject for message in mail.outbox]
    assert subjects == [
        "[Mailsac] teamowner has used 80 % of its monthly API quota",
        "[Mailsac] teamowner has used its monthly API quota",
    ]
    assert mail.outbox[1].to == [team_owner.email]
    assert "429" in mail.outbox[1].body
    assert "/usage/" in mail.outbox[1].alternatives[0][0]
    assert QuotaWarning.objects.filter(account=team_owner, sent_at__isnull=False).count() == 2


def test_a_warning_is_sent_at_most_once_a_month_even_when_asked_twice(quota_of_ten, team_owner):
    from datetime import date

    from usage.services import quota_warning_send

    assert quota_warning_send(account_id=team_owner.pk, month=date(2026, 1, 1), percent=80) is True
    assert quota_warning_send(account_id=team_owner.pk, month=date(2026, 1, 1), percent=80) is False
    assert quota_warning_send(account_id=team_owner.pk, month=date(2026, 2, 1), percent=80) is True
    assert len(mail.outbox) == 2


def test_no_warning_email_when_the_account_turned_them_off(
    metering_database, quota_of_ten, eager_tasks, team_owner, django_capture_on_commit_callbacks
):
    team_owner.quota_warning_emails = False
    team_owner.save(update_fields=["quota_warning_emails"])
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(10):
            api_call_record(account=team_owner, key=KEY)
    assert mail.outbox == []
