"""The forwarding pages under /domains/NAME/forwarding/: the owner manages rules, a key session only views."""

import pytest

from accounts.models import Domain
from capture.models import ForwardingRule
from capture.services import forwarding_rule_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def domain(owner, make_domain):
    return make_domain(owner, "hooks.example")


def test_the_domain_list_links_to_each_domains_forwarding(owner_client, domain):
    body = owner_client.get("/domains/").content.decode()
    assert 'href="/domains/hooks.example/forwarding/"' in body


def test_the_forwarding_page_lists_the_rules(owner_client, domain):
    forwarding_rule_create(
        domain=domain, local_part="alerts", kind="slack", url="https://hooks.slack.com/services/T/B/X"
    )
    response = owner_client.get("/domains/hooks.example/forwarding/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "alerts@hooks.example" in body
    assert "https://hooks.slack.com/services/T/B/X" in body
    assert 'action="/domains/hooks.example/forwarding/add/"' in body


def test_adding_a_webhook_rule_for_the_whole_domain(owner_client, domain):
    response = owner_client.post(
        "/domains/hooks.example/forwarding/add/", {"address": "", "kind": "webhook", "url": "https://example.com/in"}
    )
    assert response.status_code == 302
    rule = ForwardingRule.objects.get()
    assert (rule.domain, rule.local_part, rule.kind, rule.url) == (domain, "", "webhook", "https://example.com/in")


def test_an_address_may_be_given_whole_and_is_kept_lowercase(owner_client, domain):
    owner_client.post(
        "/domains/hooks.example/forwarding/add/", {"address": "Alerts@Hooks.Example", "kind": "websocket"}
    )
    rule = ForwardingRule.objects.get()
    assert (rule.local_part, rule.url, rule.pattern) == ("alerts", "", "alerts@hooks.example")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"kind": "webhook", "url": ""}, "Enter the URL to forward to."),
        ({"kind": "webhook", "url": "ftp://example.com/x"}, "Enter a whole URL"),
        ({"kind": "slack", "url": "http://127.0.0.1:8000/hook"}, "private, loopback or reserved"),
        ({"kind": "webhook", "url": "http://localhost/hook"}, "local host"),
        ({"kind": "webhook", "url": "https://example.com/x", "address": "a@other.example"}, "Give an address at"),
        ({"kind": "webhook", "url": "https://example.com/x", "address": "two words"}, "without spaces"),
        ({"kind": "carrier-pigeon"}, "Select a valid choice"),
    ],
)
def test_a_bad_rule_is_refused_with_a_reason_and_nothing_is_saved(owner_client, domain, data, problem):
    response = owner_client.post("/domains/hooks.example/forwarding/add/", data)
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert ForwardingRule.objects.count() == 0


def test_the_same_rule_twice_is_refused(owner_client, domain):
    data = {"kind": "webhook", "url": "https://example.com/in"}
    owner_client.post("/domains/hooks.example/forwarding/add/", data)
    response = owner_client.post("/domains/hooks.example/forwarding/add/", data)
    assert response.status_code == 400
    assert "already has that rule" in response.content.decode()
    assert ForwardingRule.objects.count() == 1


def test_removing_a_rule_asks_first_then_removes_it(owner_client, domain):
    rule = forwarding_rule_create(domain=domain, local_part="", kind="websocket")
    url = f"/domains/hooks.example/forwarding/{rule.pk}/remove/"
    response = owner_client.get(url)
    assert response.status_code == 200
    assert "Remove this forwarding rule?" in response.content.decode()
    assert ForwardingRule.objects.count() == 1
    assert owner_client.post(url).status_code == 302
    assert ForwardingRule.objects.count() == 0


def test_a_strangers_domain_and_rules_answer_404(owner_client, stranger, make_domain):
    theirs = make_domain(stranger, "theirs.example")
    rule = forwarding_rule_create(domain=theirs, local_part="", kind="websocket")
    assert owner_client.get("/domains/theirs.example/forwarding/").status_code == 404
    assert owner_client.post("/domains/theirs.example/forwarding/add/", {"kind": "websocket"}).status_code == 404
    assert owner_client.post(f"/domains/theirs.example/forwarding/{rule.pk}/remove/").status_code == 404
    assert ForwardingRule.objects.count() == 1


def test_a_rule_of_another_domain_is_404_under_this_one(owner_client, domain, owner, make_domain):
    other = make_domain(owner, "other.example")
    rule = forwarding_rule_create(domain=other, local_part="", kind="websocket")
    assert owner_client.get(f"/domains/hooks.example/forwarding/{rule.pk}/remove/").status_code == 404


def test_a_key_session_may_view_the_rules_but_not_change_them(key_client, team_owner):
    domain = Domain.objects.create(account=team_owner, name="team.example")
    rule = forwarding_rule_create(domain=domain, local_part="", kind="webhook", url="https://example.com/in")
    response = key_client.get("/domains/team.example/forwarding/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "https://example.com/in" in body
    assert "/forwarding/add/" not in body
    assert "/remove/" not in body
    assert key_client.post("/domains/team.example/forwarding/add/", {"kind": "websocket"}).status_code == 403
    assert key_client.post(f"/domains/team.example/forwarding/{rule.pk}/remove/").status_code == 403
    assert ForwardingRule.objects.count() == 1


def test_a_domain_holds_a_limited_number_of_rules(owner_client, domain):
    from capture.services import MAX_RULES_PER_DOMAIN

    for n in range(MAX_RULES_PER_DOMAIN):
        forwarding_rule_create(domain=domain, local_part=f"a{n}", kind="websocket")
    response = owner_client.post("/domains/hooks.example/forwarding/add/", {"kind": "websocket", "address": "more"})
    assert response.status_code == 400
    assert f"at most {MAX_RULES_PER_DOMAIN} forwarding rules" in response.content.decode()
