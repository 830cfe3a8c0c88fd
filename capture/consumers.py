"""The WebSocket endpoint `/incoming-messages`, as Mailsac's: authenticated by an API key.

Connect with `?key=API_KEY` (or `_mailsacKey`, or the `Mailsac-Key` header) and optionally
`&addresses=alice@example.com,example.org` to hear only some addresses and domains. The
first frame says what is being listened to; each forwarded message then arrives as
`{"status": 200, "email": {...}}`. A refused connection gets one frame with the status
(401 or 403) and is closed with code 4000 + status.
"""

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.models import Domain
from apikeys.models import ApiKey
from apikeys.services import api_key_authenticate

from .mail import split_address
from .realtime import account_group


class IncomingMessagesConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in self.scope["headers"]}
        raw_key = (query.get("key") or query.get("_mailsacKey") or [headers.get("mailsac-key", "")])[0]
        await self.accept()
        key = await database_sync_to_async(api_key_authenticate)(raw_key)
        if key is None:
            await self.refuse(401, "A valid API key is required: ?key=API_KEY or the Mailsac-Key header.")
            return
        wanted = [item.strip() for item in ",".join(query.get("addresses", [])).split(",") if item.strip()]
        addresses, domains, foreign = await database_sync_to_async(subscriptions)(key.account_id, wanted)
        if foreign:
            await self.refuse(403, "Not a custom domain of this account: " + ", ".join(foreign))
            return
        self.key_id = key.pk
        self.addresses, self.domains = set(addresses), set(domains)
        self.group = account_group(key.account_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_json({"status": 200, "msg": "Listening", "addresses": addresses, "domains": domains})

    async def refuse(self, status: int, message: str):
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        self.group = None
        await self.send_json({"status": status, "msg": message})
        await self.close(code=4000 + status)

    async def disconnect(self, code):
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        """Subscribers only listen; anything they send is ignored."""

    async def email_forward(self, event):
        if not self.wants(event["frame"]["email"]):
            return
        # A deleted key stops working at once, here too: the listener is let go.
        if not await database_sync_to_async(ApiKey.objects.filter(pk=self.key_id).exists)():
            await self.refuse(401, "The API key of this connection was deleted.")
            return
        await self.send_json(event["frame"])

    def wants(self, email: dict) -> bool:
        if not self.addresses and not self.domains:
            return True
        for recipient in email.get("to", []):
            parts = split_address(recipient.get("address", ""))
            if parts and (parts.text.lower() in self.addresses or parts.domain in self.domains):
                return True
        return False


def subscriptions(account_id: int, wanted: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(addresses, domains, entries not on the account's domains) of a subscription request."""
    addresses, domains, named = [], [], {}
    for item in wanted:
        parts = split_address(item) if "@" in item else split_address(f"x@{item}")
        named[item] = parts
    owned = set(
        Domain.objects.filter(
            account_id=account_id, name__in={parts.domain for parts in named.values() if parts}
        ).values_list("name", flat=True)
    )
    foreign = []
    for item, parts in named.items():
        if parts is None or parts.domain not in owned:
            foreign.append(item)
        elif "@" in item:
            addresses.append(parts.text.lower())
        else:
            domains.append(parts.domain)
    return addresses, domains, foreign
