import pytest
from django.core.management import call_command
from django.db.models import Sum

from accounts.models import Account
from usage.models import MonthlyUsage, UsageBucket
from usage.reports import usage_report

pytestmark = pytest.mark.django_db

BACKENDS = ["metering_database", "metering_redis"]


def seed(capture):
    with capture(execute=True):
        call_command("seed_demo")


@pytest.mark.parametrize("backend", BACKENDS)
def test_seed_demo_gives_both_demo_accounts_a_year_of_history_once(
    request, backend, django_capture_on_commit_callbacks
):
    request.getfixturevalue(backend)
    seed(django_capture_on_commit_callbacks)
    totals = dict(UsageBucket.objects.values_list("account__username").annotate(n=Sum("count")))
    assert set(totals) == {"demo", "demoteam"}
    assert MonthlyUsage.objects.values("month").distinct().count() == 12
    team = usage_report(account=Account.objects.get(username="demoteam"))
    assert len(team.history) == 12
    assert team.quota.used > 0
    assert {domain.name for domain in team.history[1].domains} == {"demoteam.example", "staging.demoteam.example"}

    seed(django_capture_on_commit_callbacks)
    assert dict(UsageBucket.objects.values_list("account__username").annotate(n=Sum("count"))) == totals
