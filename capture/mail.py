"""Reading raw messages and addresses: tolerant of whatever a client sends, never raising."""

import contextlib
import email.policy
import hashlib
import re
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses

import idna

MAX_HEADER_VALUE = 998
URL_PATTERN = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)


@dataclass(frozen=True)
class Address:
    """An envelope address split at its last @, the domain in IDNA ASCII lowercase."""

    local_part: str
    domain: str

    @property
    def text(self) -> str:
        return f"{self.local_part}@{self.domain}"


def split_address(address: str) -> Address | None:
    """The parts of an envelope address, or None when it has no usable domain."""
    local, at, domain = (address or "").strip().rpartition("@")
    if not at or not local or not domain or len(local) > 64:
        return None
    domain = domain.rstrip(".")
    try:
        domain = idna.encode(domain, uts46=True).decode("ascii").lower()
    except idna.IDNAError:
        return None
    if "." not in domain or len(domain) > 253:
        return None
    return Address(local_part=local, domain=domain)


def header_text(value) -> str:
    """A header value as readable text: encoded words decoded, folding removed."""
    text = str(value)
    with contextlib.suppress(ValueError, LookupError, UnicodeError):
        text = str(make_header(decode_header(text)))
    return " ".join(text.split())[:MAX_HEADER_VALUE]


def parse_headers(raw: bytes) -> list[list[str]]:
    """The message's headers as [name, value] pairs, in order."""
    message = BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    return [[name, header_text(value)] for name, value in message.items()]


def first_header(headers: list[list[str]], name: str) -> str:
    name = name.lower()
    return next((value for key, value in headers if key.lower() == name), "")


def grouped_headers(headers: list[list[str]]) -> dict[str, list[str]]:
    """Headers as Mailsac's MessageHeaders object: lowercase name to every value."""
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        grouped.setdefault(name.lower(), []).append(value)
    return grouped


def recipients(headers: list[list[str]], name: str) -> list[dict[str, str]]:
    values = [value for key, value in headers if key.lower() == name.lower()]
    return [{"name": display, "address": address} for display, address in getaddresses(values) if address]


@dataclass(frozen=True)
class Body:
    text: str
    html: str
    attachments: list[str]
    links: list[str]


def parse_body(raw: bytes) -> Body:
    """Plain text and HTML bodies, MD5 sums of attachments and the links found in the bodies."""
    try:
        message = BytesParser(policy=email.policy.default).parsebytes(raw)
        text = _part_text(message.get_body(preferencelist=("plain",)))
        html = _part_text(message.get_body(preferencelist=("html",)))
        attachments = [
            hashlib.md5(part.get_payload(decode=True) or b"", usedforsecurity=False).hexdigest()
            for part in message.iter_attachments()
        ]
    except Exception:
        text, html, attachments = raw.decode("utf-8", "replace"), "", []
    links = list(dict.fromkeys(URL_PATTERN.findall(text) + URL_PATTERN.findall(html)))
    return Body(text=text, html=html, attachments=attachments, links=links)


def _part_text(part) -> str:
    if part is None:
        return ""
    try:
        return part.get_content()
    except (LookupError, UnicodeError, KeyError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace")
