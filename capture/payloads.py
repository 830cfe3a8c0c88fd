"""A captured message as JSON, in the shape of Mailsac's EmailMessage schemas.

The REST API lists messages as `message_short`, shows one as `message_full`;
webhooks post `message_full` with `raw`; WebSocket frames wrap it as
`{"status": 200, "email": ...}`; Slack gets a short text.
"""

from .mail import first_header, grouped_headers, parse_body, recipients, split_address
from .models import Message

# A WebSocket frame carries the raw message only up to this size: frames travel through Redis.
WEBSOCKET_RAW_LIMIT = 256 * 1024
SLACK_SNIPPET = 300


def message_short(message: Message) -> dict:
    headers = message.headers
    to_names = {item["address"].lower(): item["name"] for item in recipients(headers, "To")}
    senders = recipients(headers, "From") or ([{"name": "", "address": message.mail_from}] if message.mail_from else [])
    inbox = split_address(message.inbox)
    return {
        "_id": message.public_id,
        "inbox": message.inbox,
        "originalInbox": message.inbox,
        "domain": inbox.domain if inbox else "",
        "from": senders,
        "to": [{"name": to_names.get(address.lower(), ""), "address": address} for address in message.rcpt_to],
        "cc": recipients(headers, "Cc"),
        "bcc": [],
        "subject": message.subject,
        "received": message.received.isoformat().replace("+00:00", "Z"),
        "size": message.size,
        "ip": message.peer or "",
        "rtls": message.tls,
        "folder": "inbox",
        "labels": [],
        "read": False,
        "savedBy": None,
        "kind": message.kind,
        "envelopeFrom": message.mail_from,
    }


def message_full(message: Message, *, raw_limit: int | None = 0) -> dict:
    """The message with headers, bodies, attachment sums and links; `raw` up to `raw_limit` bytes
    (None: always, 0: never)."""
    raw = bytes(message.raw)
    body = parse_body(raw)
    payload = message_short(message) | {
        "attachments": body.attachments,
        "links": body.links,
        "headers": grouped_headers(message.headers),
        "text": body.text,
        "body": body.html,
    }
    if raw_limit is None or len(raw) <= raw_limit:
        payload["raw"] = raw.decode("utf-8", "replace")
    return payload


def webhook(message: Message) -> dict:
    return message_full(message, raw_limit=None)


def websocket_frame(message: Message) -> dict:
    return {"status": 200, "email": message_full(message, raw_limit=WEBSOCKET_RAW_LIMIT)}


def slack(message: Message) -> dict:
    sender = first_header(message.headers, "From") or message.mail_from or "(no sender)"
    subject = message.subject or "(no subject)"
    snippet = " ".join(parse_body(bytes(message.raw)).text.split())
    if len(snippet) > SLACK_SNIPPET:
        snippet = snippet[: SLACK_SNIPPET - 1] + "…"
    lines = [f"*{_slack_escape(subject)}*", f"To {_slack_escape(message.inbox)} from {_slack_escape(sender)}"]
    if snippet:
        lines.append(f">{_slack_escape(snippet)}")
    return {"text": "\n".join(lines)}


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
