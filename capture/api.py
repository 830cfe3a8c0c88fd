"""GET /api/messages and GET /api/messages/{id}: the account's captured and inbound messages."""

from datetime import UTC, datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from . import payloads
from .models import Message

router = Router(tags=["Messages"])


class EmailRecipient(Schema):
    name: str = Field("", description="Display name; may be empty")
    address: str


class EmailMessageShort(Schema):
    """A message, with the field names of Mailsac's EmailMessageShort, plus `kind` and `envelopeFrom`."""

    id: str = Field(..., alias="_id", description="The message's identifier")
    inbox: str = Field(..., description="The first RCPT TO recipient")
    originalInbox: str
    domain: str = Field(..., description="The inbox's domain")
    sender: list[EmailRecipient] = Field(..., alias="from", description="The From header's addresses")
    to: list[EmailRecipient] = Field(..., description="The RCPT TO recipients")
    cc: list[EmailRecipient]
    bcc: list[EmailRecipient]
    subject: str
    received: str = Field(..., description="ISO 8601, UTC")
    size: int = Field(..., description="Bytes of the raw message")
    ip: str = Field(..., description="The SMTP client's address")
    rtls: bool = Field(..., description="Received over TLS")
    folder: str
    labels: list[str]
    read: bool
    savedBy: str | None = None
    kind: str = Field(..., description="captured (sent with an API key) or inbound (to a custom domain)")
    envelopeFrom: str = Field(..., description="The MAIL FROM address")


class EmailMessage(EmailMessageShort):
    attachments: list[str] = Field(..., description="MD5 sums of the attachments")
    links: list[str] = Field(..., description="URLs found in the text and HTML bodies")
    headers: dict[str, list[str]] = Field(..., description="Lowercase header name to its values, in order")
    text: str = Field(..., description="The plain text body")
    body: str = Field(..., description="The HTML body")


class MessageFilters(Schema):
    limit: int = Field(20, ge=1, le=1000, description="At most this many messages")
    skip: int = Field(0, ge=0, le=100_000, description="Skip this many (paging)")
    until: datetime | None = Field(None, description="Only messages received before this moment (paging)")


@router.get(
    "/messages",
    response=list[EmailMessageShort],
    by_alias=True,
    summary="List captured messages",
    operation_id="ListCapturedMessages",
)
def list_messages(request, filters: Query[MessageFilters]):
    """The account's captured and inbound messages, newest first. Page with `limit` and `skip`,
    or with `until` set to the `received` of the last message of the previous page."""
    messages = Message.objects.filter(account=request.auth.account).defer("raw")
    if filters.until is not None:
        until = filters.until if filters.until.tzinfo else filters.until.replace(tzinfo=UTC)
        try:
            until = until.astimezone(UTC)
        except (OverflowError, ValueError):
            raise HttpError(400, "until is not a date and time we can page by.") from None
        messages = messages.filter(received__lt=until)
    return [payloads.message_short(message) for message in messages[filters.skip : filters.skip + filters.limit]]


@router.get(
    "/messages/{message_id}",
    response=EmailMessage,
    by_alias=True,
    summary="Get a captured message",
    operation_id="GetCapturedMessage",
)
def get_message(request, message_id: str):
    """One message of the account, with its headers, bodies, attachment sums and links."""
    message = get_object_or_404(Message, public_id=message_id, account=request.auth.account)
    return payloads.message_full(message)
