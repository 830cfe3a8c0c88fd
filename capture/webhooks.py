"""Posting JSON to a URL a customer gave us, without letting it reach our own network (SSRF).

The host is resolved once, every address it resolves to must be public (unless
settings.FORWARD_ALLOW_PRIVATE_URLS), and the connection goes to that checked
address, so a DNS answer that changes between check and connect changes nothing.
Redirects are not followed.
"""

import http.client
import ipaddress
import json
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings

LOCAL_NAMES = ("localhost", "localhost.localdomain")
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa")
RESPONSE_READ_LIMIT = 64 * 1024


class UnsafeURL(ValueError):
    """The URL cannot be forwarded to; the message says why, for the person who entered it."""


class DeliveryFailed(Exception):
    """A post that failed. `retry` says whether trying again later may succeed."""

    def __init__(self, message: str, *, retry: bool):
        super().__init__(message)
        self.retry = retry


def check_url(url: str, *, allow_private: bool | None = None) -> None:
    """Refuse a URL that is not http(s) or names a private or loopback host, without DNS."""
    allow_private = settings.FORWARD_ALLOW_PRIVATE_URLS if allow_private is None else allow_private
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL("Use an http:// or https:// URL.")
    try:
        host, _port = parts.hostname, parts.port
    except ValueError:
        raise UnsafeURL("The port of this URL is not a number from 1 to 65535.") from None
    if not host:
        raise UnsafeURL("The URL has no host name.")
    if parts.username or parts.password:
        raise UnsafeURL("Leave user names and passwords out of the URL.")
    if allow_private:
        return
    address = _ip_literal(host)
    if address is not None and not _is_public(address):
        raise UnsafeURL("This URL points to a private, loopback or reserved address; use a public one.")
    if address is None and (host.lower() in LOCAL_NAMES or host.lower().endswith(LOCAL_SUFFIXES) or "." not in host):
        raise UnsafeURL("This URL names a local host; use a public host name.")


def resolve_public(host: str, port: int, *, allow_private: bool | None = None) -> str:
    """The address to connect to: every address of `host` must be public."""
    allow_private = settings.FORWARD_ALLOW_PRIVATE_URLS if allow_private is None else allow_private
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise DeliveryFailed(f"Could not resolve {host}: {error}", retry=True) from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise DeliveryFailed(f"{host} has no address.", retry=True)
    if not allow_private and not all(_is_public(address) for address in addresses):
        raise DeliveryFailed(f"{host} resolves to a private or reserved address; refused.", retry=False)
    return str(addresses[0])


def post_json(url: str, payload: dict, *, timeout: float | None = None) -> int:
    """POST `payload` as JSON; the status code of a 2xx answer, or DeliveryFailed."""
    check_url_or_fail(url)
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    address = resolve_public(parts.hostname, port)
    timeout = settings.FORWARD_TIMEOUT if timeout is None else timeout
    connection = (
        _PinnedHTTPSConnection(parts.hostname, address, port, timeout=timeout)
        if secure
        else _PinnedHTTPConnection(parts.hostname, address, port, timeout=timeout)
    )
    body = json.dumps(payload, separators=(",", ":"), default=str).encode()
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"Content-Type": "application/json", "User-Agent": "mailsac-accounts-forwarder"}
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(RESPONSE_READ_LIMIT)
        status = response.status
    except (OSError, http.client.HTTPException) as error:
        raise DeliveryFailed(f"{type(error).__name__}: {error}", retry=True) from None
    finally:
        connection.close()
    if 200 <= status < 300:
        return status
    # Server trouble and throttling may pass; any other answer will be the same next time.
    retry = status >= 500 or status in (408, 425, 429)
    raise DeliveryFailed(f"The endpoint answered HTTP {status}.", retry=retry)


def check_url_or_fail(url: str) -> None:
    try:
        check_url(url)
    except UnsafeURL as error:
        raise DeliveryFailed(str(error), retry=False) from None


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


def _is_public(address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to a checked address, with the URL's host in the Host header."""

    def __init__(self, host: str, address: str, port: int, *, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address; the certificate is verified against the URL's host."""

    def __init__(self, host: str, address: str, port: int, *, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
