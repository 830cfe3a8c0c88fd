import pytest
from django.core.exceptions import ValidationError

from accounts.forms import DomainAddForm
from accounts.validators import domain_name_normalize


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Example.COM", "example.com"),
        ("  mail.example.com  ", "mail.example.com"),
        ("example.com.", "example.com"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("BÜCHER.Example.", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("例え.テスト", "xn--r8jz45g.xn--zckzah"),
        (".".join(["a" * 63] * 3) + "." + "b" * 61, ".".join(["a" * 63] * 3) + "." + "b" * 61),
    ],
)
def test_a_valid_domain_is_stored_as_lowercase_idna(typed, stored):
    assert domain_name_normalize(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a domain name"),
        ("https://example.com", "without http:// or https://"),
        ("http://example.com/", "without http:// or https://"),
        ("example.com/inbox", "without a path"),
        ("example.com:25", "without a port"),
        ("someone@example.com", "not an email address"),
        ("localhost", "with a dot"),
        ("192.168.0.1", "not an IP address"),
        ("exa mple.com", "no spaces"),
        ("example..com", "no empty parts"),
        ("-example.com", "cannot start or end with a hyphen"),
        ("under_score.com", "not a valid domain name"),
        ("x" * 64 + ".com", "at most 63 characters"),
        (".".join(["a" * 63] * 4), "at most 253 characters"),
        (".".join(["ä" * 50] * 5), "at most 253 characters"),
    ],
)
def test_an_invalid_domain_is_refused_with_a_clear_reason(typed, message):
    with pytest.raises(ValidationError) as refused:
        domain_name_normalize(typed)
    assert message in refused.value.messages[0]


def test_a_name_of_254_characters_is_too_long_even_when_each_label_fits():
    name = ".".join(["a" * 63] * 3) + "." + "b" * 62
    assert len(name) == 254
    with pytest.raises(ValidationError, match="at most 253 characters"):
        domain_name_normalize(name)


def test_the_add_form_cleans_the_name_to_its_stored_form():
    form = DomainAddForm({"name": "Bücher.Example."})
    assert form.is_valid()
    assert form.cleaned_data["name"] == "xn--bcher-kva.example"


def test_the_add_form_refuses_a_null_character():
    form = DomainAddForm({"name": "exa\x00mple.com"})
    assert not form.is_valid()
    assert form.has_error("name")
