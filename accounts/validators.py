from django.core.validators import RegexValidator

ACCOUNT_ID_PATTERN = r"^[A-Za-z0-9_-]{3,30}\Z"

account_id_validator = RegexValidator(
    ACCOUNT_ID_PATTERN,
    "An Account ID is 3 to 30 characters: letters a-z, digits 0-9, underscore and hyphen.",
    code="invalid_account_id",
)

# Read by allauth through ACCOUNT_USERNAME_VALIDATORS.
account_id_validators = [account_id_validator]
