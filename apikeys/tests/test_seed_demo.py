import pytest


@pytest.mark.django_db
def test_seed_demo_gives_the_demo_accounts_named_keys_once():
    from django.core.management import call_command

    from apikeys.models import ApiKey

    call_command("seed_demo")
    first = sorted(ApiKey.objects.values_list("account__username", "name", "website_login", "lookup"))
    call_command("seed_demo")
    assert sorted(ApiKey.objects.values_list("account__username", "name", "website_login", "lookup")) == first
    assert [name for account, name, *_ in first if account == "demo"] == ["default"]
    assert len([1 for account, *_ in first if account == "demoteam"]) == 3
