"""Email Capture: SMTP logins, storing and metering messages, forwarding rules and deliveries.

Every function here is synchronous and is called by the SMTP server through its
database thread, by Celery tasks, or by views.
"""

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from accounts.models import Account, Domain
from apikeys.models import ApiKey
from apikeys.services import api_key_authenticate
from usage.models import Direction, Service
from usage.services import record

from . import payloads, realtime, webhooks
from .mail import Address, first_header, parse_headers, split_address
from .models import Delivery, ForwardingRule, Message

logger = logging.getLogger(__name__)

MAX_RULES_PER_DOMAIN = 20
FORWARD_SERVICES = {
    ForwardingRule.Kind.WEBHOOK: Service.WEBHOOK,
    ForwardingRule.Kind.SLACK: Service.SLACK,
    ForwardingRule.Kind.WEBSOCKET: Service.WEBSOCKET,
}


# SMTP AUTH: username the Account ID, password an API key of that account; failures rate-limited.


class LoginThrottled(Exception):
    """Too many failed logins from this address or for this Account ID: try again later."""


@dataclass(frozen=True)
class Rate:
    amount: int
    seconds: int
    per: str  # "ip" or "key"


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rates(text: str) -> list[Rate]:
    """Rates in allauth's notation: `10/m/ip,5/300s/key` (ip: the peer; key: the Account ID)."""
    rates = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        amount, period, per = item.split("/")
        match = re.fullmatch(r"(\d*)([smhd])", period)
        if not match or per not in ("ip", "key"):
            raise ValueError(f"Not a rate: {item!r}; write it like 10/m/ip or 5/300s/key.")
        rates.append(Rate(int(amount), int(match.group(1) or 1) * _UNITS[match.group(2)], per))
    return rates


def _rate_keys(*, peer: str, account_id: str) -> list[tuple[Rate, str]]:
    identity = {"ip": peer, "key": account_id.strip().lower()}
    return [
        (rate, f"capture:smtp-auth-failed:{rate.per}:{rate.seconds}:{identity[rate.per]}")
        for rate in parse_rates(settings.SMTP_AUTH_RATE_LIMIT)
    ]


def smtp_login(*, account_id: str, raw_key: str, peer: str) -> ApiKey | None:
    """The key for an SMTP login, or None. Raises LoginThrottled while over the failure limit."""
    limits = _rate_keys(peer=peer, account_id=account_id)
    counts = cache.get_many([name for _, name in limits])
    if any(counts.get(name, 0) >= rate.amount for rate, name in limits):
        raise LoginThrottled()
    key = api_key_authenticate(raw_key)
    if key is not None and key.account.username.lower() == account_id.strip().lower():
        key.touch()
        return key
    for rate, name in limits:
        # A fixed window per rate: the first failure opens it, the count expires with it.
        if not cache.add(name, 1, timeout=rate.seconds):
            try:
                cache.incr(name)
            except ValueError:
                cache.set(name, 1, timeout=rate.seconds)
    return None


# Messages


@dataclass
class Incoming:
    """What an SMTP transaction delivered: the envelope, the raw message and where it came from."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    peer: str | None = None
    helo: str = ""
    tls: bool = False
    received: datetime = field(default_factory=timezone.now)

    @property
    def size(self) -> int:
        return len(self.raw)


class KeyGone(Exception):
    """The API key that authenticated the session was deleted since."""


def _message(*, incoming: Incoming, account: Account, kind: str, rcpt_tos: list[str], key=None, domain=None):
    headers = parse_headers(incoming.raw)
    return Message.objects.create(
        account=account,
        key=key,
        domain=domain,
        kind=kind,
        mail_from=incoming.mail_from[:320],
        rcpt_to=rcpt_tos,
        subject=first_header(headers, "Subject"),
        headers=headers,
        size=incoming.size,
        raw=incoming.raw,
        peer=incoming.peer or None,
        helo=incoming.helo[:255],
        tls=incoming.tls,
        received=incoming.received,
    )


@transaction.atomic
def message_capture(*, key_id: int, incoming: Incoming, metering: bool = True) -> Message:
    """Store a message sent with an API key: one Email Capture operation of that key, counted inbound
    for the account and for the first recipient's domain when it is one of the account's."""
    key = ApiKey.objects.select_related("account").filter(pk=key_id, account__is_active=True).first()
    if key is None:
        raise KeyGone()
    account = key.account
    addresses = [address for address in map(split_address, incoming.rcpt_tos) if address]
    domains = {
        domain.name: domain
        for domain in Domain.objects.filter(
            account=account, verified_at__isnull=False, name__in={address.domain for address in addresses}
        )
    }
    domain = next((domains[address.domain] for address in addresses if address.domain in domains), None)
    message = _message(
        incoming=incoming,
        account=account,
        kind=Message.Kind.CAPTURED,
        rcpt_tos=incoming.rcpt_tos,
        key=key,
        domain=domain,
    )
    if metering:
        record(
            account=account,
            service=Service.CAPTURE,
            key=key,
            domain=domain,
            direction=Direction.INBOUND,
            size=message.size,
        )
    _plan_deliveries(message=message, addresses=addresses, domains=domains)
    return message


@dataclass(frozen=True)
class Route:
    """Where an inbound recipient goes: a verified custom domain and its account."""

    domain_id: int
    account_id: int


def inbound_route(*, address: str) -> Route | None:
    """The verified custom domain that takes mail for `address`, or None (refuse it)."""
    parts = split_address(address)
    if parts is None:
        return None
    row = (
        Domain.objects.filter(name=parts.domain, verified_at__isnull=False, account__is_active=True)
        .values_list("pk", "account_id")
        .first()
    )
    return Route(*row) if row else None


@transaction.atomic
def message_receive(*, incoming: Incoming, routes: dict[str, Route], metering: bool = True) -> list[Message]:
    """Store inbound mail: one message per receiving account, counted inbound for its first
    recipient's domain and the account (an Email Capture operation without a key)."""
    by_account: dict[int, list[str]] = {}
    for address in incoming.rcpt_tos:
        by_account.setdefault(routes[address].account_id, []).append(address)
    domains = Domain.objects.select_related("account").in_bulk({route.domain_id for route in routes.values()})
    stored = []
    for rcpt_tos in by_account.values():
        domain = domains.get(routes[rcpt_tos[0]].domain_id)
        if domain is None or not domain.verified:
            continue  # removed or unverified since RCPT TO: nobody to deliver to
        account = domain.account
        message = _message(
            incoming=incoming, account=account, kind=Message.Kind.INBOUND, rcpt_tos=rcpt_tos, domain=domain
        )
        if metering:
            record(
                account=account, service=Service.CAPTURE, domain=domain, direction=Direction.INBOUND, size=message.size
            )
        addresses = [address for address in map(split_address, rcpt_tos) if address]
        account_domains = {d.name: d for d in domains.values() if d.account_id == account.pk and d.verified}
        _plan_deliveries(message=message, addresses=addresses, domains=account_domains)
        stored.append(message)
    return stored


# Outbound relay


class SenderRefused(Exception):
    """The sender is not an address on a verified custom domain of the key's account."""


def relay_sender_domain(*, key_id: int, address: str) -> Domain:
    """The verified domain of the key's account that `address` is on; SenderRefused otherwise."""
    parts = split_address(address)
    key = ApiKey.objects.select_related("account").filter(pk=key_id, account__is_active=True).first()
    if key is None:
        raise KeyGone()
    domain = None
    if parts is not None:
        domain = Domain.objects.filter(account=key.account, name=parts.domain, verified_at__isnull=False).first()
    if domain is None:
        raise SenderRefused(f"Sender <{address}> is not on a verified custom domain of account {key.account.username}.")
    return domain


def relay_record(*, key_id: int, domain_id: int, size: int, metering: bool = True) -> None:
    """Count a relayed message: outbound for its sender's domain and the account, with its size."""
    if not metering:
        return
    key = ApiKey.objects.select_related("account").filter(pk=key_id).first()
    domain = Domain.objects.filter(pk=domain_id).first()
    if key is None:
        return
    record(
        account=key.account, service=Service.CAPTURE, key=key, domain=domain, direction=Direction.OUTBOUND, size=size
    )


# Forwarding rules


class RuleRefused(Exception):
    """A rule cannot be added; the message says why."""


@transaction.atomic
def forwarding_rule_create(*, domain: Domain, local_part: str, kind: str, url: str = "") -> ForwardingRule:
    # The domain row lock serialises the count-then-insert of concurrent additions.
    domain = Domain.objects.select_for_update().get(pk=domain.pk)
    if ForwardingRule.objects.filter(domain=domain).count() >= MAX_RULES_PER_DOMAIN:
        raise RuleRefused(f"A domain holds at most {MAX_RULES_PER_DOMAIN} forwarding rules. Remove one first.")
    url = url if kind != ForwardingRule.Kind.WEBSOCKET else ""
    local_part = local_part.strip().lower()
    if ForwardingRule.objects.filter(domain=domain, local_part=local_part, kind=kind, url=url).exists():
        raise RuleRefused("This domain already has that rule.")
    try:
        with transaction.atomic():
            return ForwardingRule.objects.create(domain=domain, local_part=local_part, kind=kind, url=url)
    except IntegrityError:
        raise RuleRefused("This domain already has that rule.") from None


def forwarding_rule_delete(*, rule: ForwardingRule) -> None:
    """Remove a rule; forwards still pending for it stop at their next attempt."""
    rule.delete()


# Deliveries: planned with the message, sent by a Celery task, counted once when delivered.


def _plan_deliveries(*, message: Message, addresses: list[Address], domains: dict[str, Domain]) -> None:
    if not domains:
        return
    names = {domain.pk: name for name, domain in domains.items()}
    wanted: dict[tuple[str, str], ForwardingRule] = {}
    for rule in ForwardingRule.objects.filter(domain_id__in=names):
        name = names[rule.domain_id]
        if any(address.domain == name and rule.matches(address.local_part) for address in addresses):
            wanted.setdefault((rule.kind, rule.url), rule)
    if not wanted:
        return
    deliveries = Delivery.objects.bulk_create(
        Delivery(message=message, rule=rule, kind=kind, target=url, created=message.received)
        for (kind, url), rule in wanted.items()
    )
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: _enqueue(ids), robust=True)


def _enqueue(delivery_ids: list[int]) -> None:
    from .tasks import forward_deliver

    for delivery_id in delivery_ids:
        forward_deliver.delay(delivery_id)


@dataclass(frozen=True)
class Attempt:
    """What a delivery attempt came to: done (delivered or given up), or worth retrying."""

    retry: bool = False
    error: str = ""


def delivery_attempt(*, delivery_id: int) -> Attempt:
    """Send one pending delivery. Safe to run twice or at once: it is counted once, by the
    attempt that moves it from pending to delivered."""
    delivery = (
        Delivery.objects.select_related("message", "message__account", "message__key", "message__domain")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.status != Delivery.Status.PENDING:
        return Attempt()
    if delivery.rule_id is None:
        _fail(delivery, "The forwarding rule was removed.")
        return Attempt()
    Delivery.objects.filter(pk=delivery.pk).update(attempts=delivery.attempts + 1)
    try:
        _send(delivery)
    except webhooks.DeliveryFailed as failure:
        if not failure.retry:
            _fail(delivery, str(failure))
            return Attempt()
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING).update(last_error=str(failure)[:300])
        return Attempt(retry=True, error=str(failure))
    _delivered(delivery)
    return Attempt()


def delivery_give_up(*, delivery_id: int, error: str) -> None:
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is not None:
        _fail(delivery, f"Gave up after {delivery.attempts} attempts: {error}")


def _send(delivery: Delivery) -> None:
    message = delivery.message
    if delivery.kind == ForwardingRule.Kind.WEBSOCKET:
        try:
            realtime.publish(account_id=message.account_id, frame=payloads.websocket_frame(message))
        except Exception as error:
            raise webhooks.DeliveryFailed(f"Channel layer: {type(error).__name__}: {error}", retry=True) from None
        return
    payload = payloads.slack(message) if delivery.kind == ForwardingRule.Kind.SLACK else payloads.webhook(message)
    webhooks.post_json(delivery.target, payload)


@transaction.atomic
def _delivered(delivery: Delivery) -> None:
    claimed = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.DELIVERED, delivered_at=timezone.now(), last_error=""
    )
    if claimed:
        message = delivery.message
        record(
            account=message.account,
            service=FORWARD_SERVICES[delivery.kind],
            key=message.key,
            domain=message.domain,
        )


def _fail(delivery: Delivery, error: str) -> None:
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.FAILED, last_error=error[:300]
    )
    logger.warning("Forward %s (%s) of message %s failed: %s", delivery.pk, delivery.kind, delivery.message_id, error)


# Retention and account deletion


def _delete_messages(messages) -> int:
    """Delete messages in batches, without loading their raw bytes; returns how many."""
    removed = 0
    while True:
        ids = list(messages.order_by().values_list("pk", flat=True)[:1000])
        if not ids:
            return removed
        with transaction.atomic():
            Delivery.objects.filter(message_id__in=ids).delete()
            Message.objects.filter(pk__in=ids).only("pk").delete()
        removed += len(ids)


def messages_purge(*, older_than_days: int) -> int:
    """Delete messages received more than `older_than_days` ago; returns how many."""
    return _delete_messages(Message.objects.filter(received__lt=timezone.now() - timedelta(days=older_than_days)))


def capture_purge_account(account_pk: int) -> None:
    """Account deletion: the account's messages go in batches before its row cascades the rest."""
    _delete_messages(Message.objects.filter(account_id=account_pk))


def capture_account_stats(account: Account) -> dict:
    """GET /api/me/stats: the messages the service holds for the account, in one query."""
    held = Message.objects.filter(account=account).aggregate(n=Count("pk"), size=Sum("size"))
    return {"storedMessages": held["n"], "inboxBytes": held["size"] or 0}
