"""The API key format, its checksum and its digest.

A key is `k_` + 32 random base62 characters (190 bits from `secrets`) + a 6-character
base62 CRC32 of those 32 characters. The checksum lets anyone (a typo, a secret
scanner) tell a well-formed key offline, before any database query.

The first 8 random characters are the key's lookup identifier: stored, indexed and
shown in lists. The key itself is never stored: only HMAC-SHA256(API_KEY_PEPPER, key).
A password hasher would be wasted on 190 bits of entropy and cost ~166 ms per request.
"""

import hashlib
import hmac
import secrets
import string
import zlib

from django.conf import settings

ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
PREFIX = "k_"
BODY_LENGTH = 32
CHECKSUM_LENGTH = 6
LOOKUP_LENGTH = 8
KEY_LENGTH = len(PREFIX) + BODY_LENGTH + CHECKSUM_LENGTH
_ALLOWED = frozenset(ALPHABET)


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, remainder = divmod(number, 62)
        digits.append(ALPHABET[remainder])
    return "".join(reversed(digits))


def checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode("ascii")), CHECKSUM_LENGTH)


def generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return f"{PREFIX}{body}{checksum(body)}"


def is_well_formed(key: str) -> bool:
    """Format and checksum, offline, in constant time for keys of the right length."""
    if not isinstance(key, str) or len(key) != KEY_LENGTH or not key.startswith(PREFIX):
        return False
    rest = key[len(PREFIX) :]
    if not _ALLOWED.issuperset(rest):
        return False
    body, check = rest[:BODY_LENGTH], rest[BODY_LENGTH:]
    return hmac.compare_digest(checksum(body), check)


def lookup_of(key: str) -> str:
    return key[len(PREFIX) : len(PREFIX) + LOOKUP_LENGTH]


def digest(value: str) -> str:
    """HMAC-SHA256 under API_KEY_PEPPER; of anything typed, so a malformed value costs the same work."""
    return hmac.new(settings.API_KEY_PEPPER.encode(), value.encode("utf-8", "replace"), hashlib.sha256).hexdigest()


# Compared against when no key matched, so a miss costs what a hit costs.
DUMMY_DIGEST = "0" * 64
