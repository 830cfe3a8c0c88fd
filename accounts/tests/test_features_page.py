import time

import pytest
import time_machine

from accounts.models import Domain, PlanChange
from conftest import PASSWORD


def a_while_after_sign_in(settings):
    """Travel past the window in which the sign-in counts as recent authentication."""
    return time_machine.travel(time.time() + settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 60)


def reauthenticate(client, password=PASSWORD):
    response = client.post("/accounts/reauthenticate/", {"password": password})
    assert response.status_code == 302, "reauthentication failed"


@pytest.mark.django_db
def test_the_features_page_shows_every_plan_side_by_side(owner_client, settings):
    body = owner_client.get("/features/").content.decode()
    for label in ["Free", "Basic", "Indie", "Business", "Enterprise"]:
        assert label in body
    for row in ["API keys", "Website login by key", "Custom domains", "Monthly quota", "Price"]:
        assert row in body
    assert "your plan" in body
    assert "100,000" in body  # the indie quota
    assert "$499.00" in body


@pytest.mark.django_db
def test_changing_plan_a_while_after_sign_in_asks_for_the_password_again(owner_client, owner, settings):
    with a_while_after_sign_in(settings):
        response = owner_client.post("/features/plan/", {"plan": "business"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    owner.refresh_from_db()
    assert owner.plan == "indie"


@pytest.mark.django_db
def test_the_plan_change_goes_through_once_the_password_is_confirmed(owner_client, owner, settings):
    with a_while_after_sign_in(settings):
        owner_client.post("/features/plan/", {"plan": "business"})
        owner.refresh_from_db()
        assert owner.plan == "indie"
        response = owner_client.post("/accounts/reauthenticate/?next=/features/plan/", {"password": PASSWORD})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.plan == "business"


@pytest.mark.django_db
def test_a_session_without_a_password_sign_in_must_confirm_it_before_a_change(client, owner):
    client.force_login(owner)
    response = client.post("/features/plan/", {"plan": "business"})
    assert response["Location"].startswith("/accounts/reauthenticate/")
    owner.refresh_from_db()
    assert owner.plan == "indie"


@pytest.mark.django_db
def test_an_upgrade_applies_at_once_and_is_recorded(owner_client, owner):
    reauthenticate(owner_client)
    response = owner_client.post("/features/plan/", {"plan": "enterprise"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.plan == "enterprise"
    change = PlanChange.objects.get(account=owner)
    assert (change.old_plan, change.new_plan) == ("indie", "enterprise")
    assert "You are now on the Enterprise plan." in owner_client.get("/features/").content.decode()


@pytest.mark.django_db
def test_a_downgrade_that_fits_applies_at_once(owner_client, owner):
    Domain.objects.create(account=owner, name="one.example")
    reauthenticate(owner_client)
    owner_client.post("/features/plan/", {"plan": "basic"})
    owner.refresh_from_db()
    assert owner.plan == "basic"


@pytest.mark.django_db
def test_a_downgrade_is_refused_with_the_reason_while_the_account_holds_too_many_domains(owner_client, owner):
    for name in ["a.example", "b.example"]:
        Domain.objects.create(account=owner, name=name)
    reauthenticate(owner_client)
    response = owner_client.post("/features/plan/", {"plan": "basic"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "This account holds 2 custom domains; the Basic plan allows 1. Remove 1 first." in body
    owner.refresh_from_db()
    assert owner.plan == "indie"
    assert not PlanChange.objects.exists()


@pytest.mark.django_db
def test_a_downgrade_to_free_is_refused_while_any_domain_is_held(owner_client, owner):
    Domain.objects.create(account=owner, name="a.example")
    reauthenticate(owner_client)
    body = owner_client.post("/features/plan/", {"plan": "free"}).content.decode()
    assert "the Free plan includes no custom domains" in body
    owner.refresh_from_db()
    assert owner.plan == "indie"


@pytest.mark.django_db
def test_choosing_the_current_plan_or_no_plan_shows_a_form_error(owner_client, owner):
    reauthenticate(owner_client)
    assert (
        "You are on the Indie plan already." in owner_client.post("/features/plan/", {"plan": "indie"}).content.decode()
    )
    response = owner_client.post("/features/plan/", {"plan": "platinum"})
    assert response.status_code == 200
    assert response.context["plan_form"].has_error("plan")
    assert owner_client.post("/features/plan/", {}).context["plan_form"].has_error("plan")
    owner.refresh_from_db()
    assert owner.plan == "indie"


@pytest.mark.django_db
def test_the_quota_switches_default_to_warnings_on_and_blocking(owner):
    assert owner.quota_warning_emails is True
    assert owner.overage_allowed is False


@pytest.mark.django_db
def test_the_quota_switches_are_saved(owner_client, owner):
    reauthenticate(owner_client)
    response = owner_client.post("/features/switches/", {"overage_allowed": "true"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.quota_warning_emails is False  # an unticked checkbox
    assert owner.overage_allowed is True
    owner_client.post("/features/switches/", {"quota_warning_emails": "on", "overage_allowed": "false"})
    owner.refresh_from_db()
    assert (owner.quota_warning_emails, owner.overage_allowed) == (True, False)


@pytest.mark.django_db
def test_a_bad_overage_choice_shows_a_form_error_and_changes_nothing(owner_client, owner):
    reauthenticate(owner_client)
    response = owner_client.post("/features/switches/", {"quota_warning_emails": "", "overage_allowed": "maybe"})
    assert response.status_code == 200
    assert response.context["features_form"].has_error("overage_allowed")
    assert "Select a valid choice" in response.content.decode()
    owner.refresh_from_db()
    assert (owner.quota_warning_emails, owner.overage_allowed) == (True, False)


@pytest.mark.django_db
def test_the_switches_a_while_after_sign_in_ask_for_the_password_again(owner_client, owner, settings):
    with a_while_after_sign_in(settings):
        response = owner_client.post("/features/switches/", {"overage_allowed": "true"})
    assert response["Location"].startswith("/accounts/reauthenticate/")
    owner.refresh_from_db()
    assert owner.overage_allowed is False


@pytest.mark.django_db
def test_feature_views_are_closed_to_key_sessions():
    from accounts import views_billing, views_features
    from accounts.access import allows_key_session

    for view in [views_features.page, views_features.change_plan, views_features.switches, views_billing.page]:
        assert not allows_key_session(view)
