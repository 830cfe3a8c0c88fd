import pytest

from capture.models import Message
from capture.services import forwarding_rule_create

pytestmark = pytest.mark.django_db


def test_the_dashboard_counts_this_months_messages_and_the_forwarding_rules(owner_client, owner, make_domain):
    domain = make_domain(owner, "panel.example")
    forwarding_rule_create(domain=domain, local_part="", kind="websocket")
    for _ in range(3):
        Message.objects.create(account=owner, kind="captured", rcpt_to=["a@b.test"], size=1, raw=b"x")
    body = owner_client.get("/dashboard/").content.decode()
    assert "Messages captured this month" in body
    assert "1 forwarding rule" in body
