"""TXT lookups for domain verification, through the resolver in settings.DNS_RESOLVER."""

import dns.exception
import dns.resolver
from django.conf import settings


class LookupFailed(Exception):
    """The lookup gave no usable answer; the message says what happened, for the owner."""


def resolver() -> dns.resolver.Resolver:
    """The system's resolver, or the "host:port" servers listed in settings.DNS_RESOLVER."""
    configured = [item.strip() for item in settings.DNS_RESOLVER.split(",") if item.strip()]
    result = dns.resolver.Resolver(configure=not configured)
    if configured:
        result.nameservers = [host for host, _ in map(_host_port, configured)]
        result.port = _host_port(configured[0])[1]
    result.timeout = settings.DNS_TIMEOUT
    result.lifetime = settings.DNS_TIMEOUT
    return result


def _host_port(address: str) -> tuple[str, int]:
    if address.startswith("["):  # [::1]:5353
        host, _, port = address[1:].partition("]")
        return host, int(port.lstrip(":") or 53)
    if address.count(":") == 1:
        host, port = address.split(":")
        return host, int(port)
    return address, 53


def txt_values(name: str) -> list[str]:
    """Every TXT string at `name` (a record split into several strings is joined)."""
    try:
        answer = resolver().resolve(name, "TXT", search=False)
    except dns.resolver.NXDOMAIN:
        raise LookupFailed(f"{name} does not exist in DNS yet.") from None
    except dns.resolver.NoAnswer:
        return []
    except dns.exception.Timeout:
        raise LookupFailed("The DNS lookup timed out. Try again in a few minutes.") from None
    except dns.resolver.NoNameservers:
        raise LookupFailed(f"The name servers of {name} did not answer properly (SERVFAIL).") from None
    except (dns.exception.DNSException, OSError) as error:
        raise LookupFailed(f"The DNS lookup failed: {error.__class__.__name__}.") from None
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]


def describe_missing(domain, values: list[str]) -> str:
    ours = [value for value in values if value.startswith("mailsac-verification=")]
    if ours:
        return "A mailsac-verification TXT record was found, but its value does not match. Check for typos."
    if values:
        return f"{domain.name} has TXT records, but none is {domain.verification_txt}."
    return f"No TXT record found at {domain.name}."
