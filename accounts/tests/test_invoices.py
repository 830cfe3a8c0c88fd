from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from accounts.billing import (
    invoice_issue,
    invoices_issue_due,
    register_usage_source,
    unregister_usage_source,
)
from accounts.models import Invoice, PlanChange
from accounts.tasks import invoices_issue_monthly


@pytest.fixture(autouse=True)
def _tasks_in_process(celery_eager):
    """Invoice emails go through a Celery task; here it runs in the test's process."""


def at(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def usage():
    """A usage source the test fills in: {(account_id, year, month): operations}."""
    counts: dict[tuple[int, int, int], int] = {}

    def source(account_id, year, month):
        return counts.get((account_id, year, month), 0)

    register_usage_source(source)
    yield counts
    unregister_usage_source(source)


@pytest.fixture
def september_account(make_account):
    def make(username, plan="business", **fields):
        account = make_account(username, plan=plan, **fields)
        account.date_joined = at(2026, 9, 15)
        account.save(update_fields=["date_joined"])
        return account

    return make


def run(today, capture):
    """Run the invoice job at 02:00 UTC on `today`, with its after-commit emails sent."""
    moment = datetime.combine(today, datetime.min.time(), tzinfo=UTC).replace(hour=2)
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return invoices_issue_due(today=today)


@pytest.mark.django_db
def test_the_monthly_run_issues_one_invoice_per_paying_account_even_when_run_twice(
    september_account, django_capture_on_commit_callbacks, settings
):
    settings.INVOICE_CATCH_UP_MONTHS = 1
    team = september_account("acme", plan="business")
    indie = september_account("solo", plan="indie")
    september_account("gratis", plan="free")
    run(date(2026, 12, 1), django_capture_on_commit_callbacks)
    run(date(2026, 12, 1), django_capture_on_commit_callbacks)
    invoices = Invoice.objects.order_by("account__username")
    assert [(i.account_id, i.period, i.amount_cents) for i in invoices] == [
        (team.pk, date(2026, 11, 1), 9_900),
        (indie.pk, date(2026, 11, 1), 2_900),
    ]
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_missed_month_is_caught_up_without_doubling_the_others(september_account, django_capture_on_commit_callbacks):
    account = september_account("acme")
    run(date(2026, 10, 1), django_capture_on_commit_callbacks)
    assert list(Invoice.objects.values_list("period", flat=True)) == [date(2026, 9, 1)]
    # The run on 1 November never happened.
    run(date(2026, 12, 1), django_capture_on_commit_callbacks)
    periods = sorted(Invoice.objects.filter(account=account).values_list("period", flat=True))
    assert periods == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    assert len({invoice.number for invoice in Invoice.objects.all()}) == 3
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_no_invoice_for_a_month_before_the_account_existed(make_account, django_capture_on_commit_callbacks):
    with time_machine.travel(at(2026, 11, 20), tick=False):
        make_account("newcomer", plan="business")
    run(date(2026, 12, 1), django_capture_on_commit_callbacks)
    assert list(Invoice.objects.values_list("period", flat=True)) == [date(2026, 11, 1)]


@pytest.mark.django_db
def test_a_closed_account_gets_no_invoice(september_account, django_capture_on_commit_callbacks):
    september_account("closed", is_active=False)
    run(date(2026, 12, 1), django_capture_on_commit_callbacks)
    assert not Invoice.objects.exists()


@pytest.mark.django_db
def test_the_invoice_email_is_text_and_html_with_the_numbers(september_account, django_capture_on_commit_callbacks):
    september_account(
        "acme",
        invoice_email="billing@acme.test",
        invoice_company="Acme Ltd",
        invoice_address="1 Main St\nSpringfield",
    )
    [invoice] = [i for i in run(date(2026, 12, 1), django_capture_on_commit_callbacks) if i.period.month == 11]
    message = next(m for m in mail.outbox if invoice.number in m.subject)
    assert message.to == ["billing@acme.test"]
    assert message.subject == f"[Mailsac] Invoice {invoice.number} for November 2026"
    for text in [
        invoice.number,
        "November 2026",
        "Business plan",
        "$99.00",
        "Acme Ltd",
        "1 Main St\nSpringfield",
        "Due:",
        "31 Dec 2026",
        f"/billing/invoices/{invoice.number}/",
    ]:
        assert text in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert invoice.number in html and "$99.00" in html and "Acme Ltd" in html
    invoice.refresh_from_db()
    assert invoice.emailed_at is not None


@pytest.mark.django_db
def test_without_an_invoice_email_the_invoice_goes_to_the_account_email(
    september_account, django_capture_on_commit_callbacks, settings
):
    settings.INVOICE_CATCH_UP_MONTHS = 1
    september_account("acme", email="owner@acme.test")
    run(date(2026, 12, 1), django_capture_on_commit_callbacks)
    assert mail.outbox[0].to == ["owner@acme.test"]
    assert Invoice.objects.get().bill_to_email == "owner@acme.test"


@pytest.mark.django_db
def test_an_issued_invoice_keeps_the_contact_it_was_issued_with(
    september_account, django_capture_on_commit_callbacks, settings
):
    settings.INVOICE_CATCH_UP_MONTHS = 1
    account = september_account("acme", invoice_company="Acme Ltd")
    run(date(2026, 12, 1), django_capture_on_commit_callbacks)
    account.invoice_company = "Acme Renamed plc"
    account.save()
    assert Invoice.objects.get().bill_to_company == "Acme Ltd"


@pytest.mark.django_db
def test_an_email_that_failed_is_sent_by_the_next_run(september_account, django_capture_on_commit_callbacks, settings):
    settings.INVOICE_CATCH_UP_MONTHS = 1
    september_account("acme")
    september_account("other")
    settings.EMAIL_BACKEND = "accounts.tests.failing_email.Backend"
    run(date(2026, 12, 1), django_capture_on_commit_callbacks)
    assert Invoice.objects.count() == 2  # one failed email stops nothing
    invoice = Invoice.objects.get(account_name="acme")
    assert invoice.emailed_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run(date(2026, 12, 1), django_capture_on_commit_callbacks)
    invoice.refresh_from_db()
    assert invoice.emailed_at is not None
    assert len(mail.outbox) == 2
    assert Invoice.objects.count() == 2


@pytest.mark.django_db
def test_a_free_account_gets_no_invoice(september_account, django_capture_on_commit_callbacks, usage):
    account = september_account("gratis", plan="free")
    usage[(account.pk, 2026, 11)] = 5_000  # over the free quota, but overage is blocked
    run(date(2026, 12, 1), django_capture_on_commit_callbacks)
    assert not Invoice.objects.exists()
    assert not mail.outbox


@pytest.mark.django_db
def test_a_free_account_that_allows_overage_is_billed_for_the_overage(
    september_account, django_capture_on_commit_callbacks, usage, settings
):
    settings.INVOICE_CATCH_UP_MONTHS = 1
    settings.OVERAGE_PRICE_CENTS_PER_1000 = 50
    account = september_account("gratis", plan="free", overage_allowed=True)
    usage[(account.pk, 2026, 11)] = settings.PLANS["free"]["quota"] + 2_500
    run(date(2026, 12, 1), django_capture_on_commit_callbacks)
    invoice = Invoice.objects.get()
    assert (invoice.plan_price_cents, invoice.overage_operations, invoice.overage_cents) == (0, 2_500, 125)
    assert invoice.amount_cents == 125
    assert "2,500" in mail.outbox[0].body


@pytest.mark.django_db
def test_overage_is_added_to_the_plan_price(september_account, django_capture_on_commit_callbacks, usage, settings):
    settings.INVOICE_CATCH_UP_MONTHS = 1
    settings.OVERAGE_PRICE_CENTS_PER_1000 = 50
    account = september_account("acme", plan="basic", overage_allowed=True)
    usage[(account.pk, 2026, 11)] = settings.PLANS["basic"]["quota"] + 1
    run(date(2026, 12, 1), django_capture_on_commit_callbacks)
    invoice = Invoice.objects.get()
    assert invoice.overage_operations == 1
    assert invoice.overage_cents == 1  # part of a thousand is rounded up to a cent
    assert invoice.amount_cents == 900 + 1


@pytest.mark.django_db
def test_a_month_is_billed_at_the_highest_plan_held_during_it(september_account, django_capture_on_commit_callbacks):
    upgraded = september_account("upgraded", plan="basic")
    downgraded = september_account("downgraded", plan="enterprise")
    PlanChange.objects.create(account=upgraded, old_plan="basic", new_plan="business", changed=at(2026, 11, 10))
    PlanChange.objects.create(account=downgraded, old_plan="enterprise", new_plan="basic", changed=at(2026, 11, 30, 23))
    for account, plan in [(upgraded, "business"), (downgraded, "basic")]:
        account.plan = plan
        account.save(update_fields=["plan"])
    run(date(2026, 12, 1), django_capture_on_commit_callbacks)
    november = {i.account_id: i.plan for i in Invoice.objects.filter(period=date(2026, 11, 1))}
    october = {i.account_id: i.plan for i in Invoice.objects.filter(period=date(2026, 10, 1))}
    assert november == {upgraded.pk: "business", downgraded.pk: "enterprise"}
    assert october == {upgraded.pk: "basic", downgraded.pk: "enterprise"}


@pytest.mark.django_db
def test_an_upgrade_from_free_does_not_bill_the_free_months_before_it(
    september_account, django_capture_on_commit_callbacks
):
    account = september_account("late", plan="free")
    PlanChange.objects.create(account=account, old_plan="free", new_plan="business", changed=at(2026, 11, 20))
    account.plan = "business"
    account.save(update_fields=["plan"])
    run(date(2026, 12, 1), django_capture_on_commit_callbacks)
    assert list(Invoice.objects.values_list("period", "plan")) == [(date(2026, 11, 1), "business")]


@pytest.mark.django_db
def test_issuing_a_month_again_returns_the_same_invoice(september_account, django_capture_on_commit_callbacks):
    account = september_account("acme")
    with django_capture_on_commit_callbacks(execute=True):
        first = invoice_issue(account_id=account.pk, period=date(2026, 11, 1))
        again = invoice_issue(account_id=account.pk, period=date(2026, 11, 1))
    assert first.pk == again.pk
    assert first.number == f"MS-202611-{account.pk:06d}"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_beat_task_bills_the_month_just_ended(september_account, django_capture_on_commit_callbacks):
    september_account("acme")
    with time_machine.travel(at(2026, 12, 1, 2), tick=False), django_capture_on_commit_callbacks(execute=True):
        invoices_issue_monthly()
    assert Invoice.objects.filter(period=date(2026, 11, 1)).count() == 1


@pytest.mark.django_db
def test_the_invoices_command_runs_the_job_by_hand(september_account, capsys, settings):
    settings.INVOICE_CATCH_UP_MONTHS = 1
    september_account("acme")
    call_command("issue_invoices", "--today", "2026-12-01")
    out = capsys.readouterr().out
    assert "Invoices issued: 1." in out
    assert "acme" in out
    call_command("issue_invoices", "--today", "2026-12-01")
    assert "Invoices issued: 0." in capsys.readouterr().out
    assert Invoice.objects.count() == 1


def test_the_invoices_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="--today must be a date"):
        call_command("issue_invoices", "--today", "December")


def test_the_invoice_job_is_on_the_beat_schedule_for_the_first_of_the_month(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["invoices-monthly"]
    assert entry["task"] == "accounts.tasks.invoices_issue_monthly"
    assert entry["schedule"].day_of_month == {1}
