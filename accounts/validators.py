import re

import idna
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

ACCOUNT_ID_PATTERN = r"^[A-Za-z0-9_-]{3,30}\Z"

account_id_validator = RegexValidator(
    ACCOUNT_ID_PATTERN,
    "An Account ID is 3 to 30 characters: letters a-z, digits 0-9, underscore and hyphen.",
    code="invalid_account_id",
)

# Read by allauth through ACCOUNT_USERNAME_VALIDATORS.
account_id_validators = [account_id_validator]


def domain_name_normalize(value: str) -> str:
    """The IDNA-encoded, lowercase ASCII form of a domain name a person typed.

    Accepts any case, a trailing dot and Unicode (internationalised) names;
    refuses a URL, a path, a port, an email address, an IP address and a
    single label. The result is at most 253 characters, each label at most 63.
    """
    name = value.strip()
    if not name:
        raise ValidationError("Enter a domain name, such as example.com.", code="required")
    if len(name) > 1000:
        raise ValidationError("A domain name is at most 253 characters.", code="too_long")
    if "://" in name or re.match(r"^[a-z][a-z0-9+.-]*:(?!\d+$)", name, re.IGNORECASE):
        raise ValidationError("Enter the domain name only, without http:// or https://.", code="scheme")
    if "@" in name:
        raise ValidationError("Enter a domain name, not an email address.", code="email")
    if any(char in name for char in "/?#\\"):
        raise ValidationError("Enter the domain name only, without a path.", code="path")
    if ":" in name:
        raise ValidationError("Enter the domain name only, without a port.", code="port")
    if any(char.isspace() for char in name) or "\x00" in name:
        raise ValidationError("A domain name has no spaces.", code="space")
    if name.endswith(".") and not name.endswith(".."):
        name = name[:-1]  # the fully qualified form names the same domain
    try:
        ascii_name = idna.encode(name, uts46=True, std3_rules=True).decode("ascii").lower()
    except idna.IDNAError as error:
        raise ValidationError(_idna_problem(name, error), code="invalid") from None
    if len(ascii_name) > 253:
        raise ValidationError(
            f"A domain name is at most 253 characters; this one is {len(ascii_name)}.", code="too_long"
        )
    labels = ascii_name.split(".")
    if len(labels) < 2:
        raise ValidationError("Enter a full domain name with a dot, such as example.com.", code="single_label")
    if labels[-1].isdigit():
        raise ValidationError("Enter a domain name, not an IP address.", code="ip_address")
    return ascii_name


def _idna_problem(name: str, error: idna.IDNAError) -> str:
    reason = str(error).lower()
    if "domain too long" in reason or (name.isascii() and len(name) > 253):
        return "A domain name is at most 253 characters."
    if "label too long" in reason:
        return "Each part of a domain name between dots is at most 63 characters."
    labels = name.split(".")
    if any(label == "" for label in labels):
        return "A domain name has no empty parts: check for two dots in a row or a leading dot."
    if any(label.startswith("-") or label.endswith("-") for label in labels):
        return "A part of a domain name cannot start or end with a hyphen."
    return "That is not a valid domain name: use letters, digits and hyphens, with dots between the parts."
