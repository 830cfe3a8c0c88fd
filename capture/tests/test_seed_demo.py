import pytest
from django.core.management import call_command

from capture.models import Delivery, ForwardingRule, Message

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_the_team_domain_forwarding_rules_and_forwards_once():
    call_command("seed_demo")
    call_command("seed_demo")
    assert ForwardingRule.objects.filter(domain__name="demoteam.example").count() == 2
    assert Message.objects.filter(account__username="demoteam").count() == 3
    assert Delivery.objects.filter(status="failed").count() == 1
