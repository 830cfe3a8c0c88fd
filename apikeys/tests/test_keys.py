import re

import pytest

from apikeys import keys
from apikeys.services import api_key_authenticate


def test_a_generated_key_is_k_underscore_then_base62_with_at_least_32_characters():
    key = keys.generate()
    assert re.fullmatch(r"k_[A-Za-z0-9]{32,}", key)
    assert len(key) == keys.KEY_LENGTH


def test_two_generated_keys_differ():
    assert keys.generate() != keys.generate()


def test_a_generated_key_is_well_formed():
    assert keys.is_well_formed(keys.generate())


@pytest.mark.parametrize("position", [2, 10, 33, 37])
def test_a_one_character_typo_fails_the_checksum(position):
    key = keys.generate()
    replacement = "A" if key[position] != "A" else "B"
    typo = key[:position] + replacement + key[position + 1 :]
    assert not keys.is_well_formed(typo)


@pytest.mark.parametrize(
    "value", ["", "k_", "x_" + "a" * 38, "k_" + "a" * 37, "k_" + "a" * 39, "k_" + "é" * 38, "k_" + "a-" * 19]
)
def test_malformed_values_are_not_well_formed(value):
    assert not keys.is_well_formed(value)


def test_the_digest_is_keyed_by_the_pepper_not_the_secret_key(settings):
    key = keys.generate()
    first = keys.digest(key)
    settings.SECRET_KEY = "rotated-" * 8
    assert keys.digest(key) == first
    settings.API_KEY_PEPPER = "another pepper"
    assert keys.digest(key) != first


@pytest.mark.django_db
def test_a_malformed_key_is_refused_without_a_query(django_assert_num_queries):
    typo = keys.generate()[:-1] + "!"
    with django_assert_num_queries(0):
        assert api_key_authenticate(typo) is None


@pytest.mark.django_db
def test_a_typo_in_a_real_key_is_refused_without_a_query(team_owner, django_assert_num_queries):
    from apikeys.services import api_key_create

    _, secret = api_key_create(account=team_owner, name="ci")
    typo = secret[:5] + ("x" if secret[5] != "x" else "y") + secret[6:]
    with django_assert_num_queries(0):
        assert api_key_authenticate(typo) is None


@pytest.mark.django_db
def test_a_valid_key_is_checked_with_one_query(team_owner, django_assert_num_queries):
    from apikeys.services import api_key_create

    key, secret = api_key_create(account=team_owner, name="ci")
    with django_assert_num_queries(1):
        found = api_key_authenticate(secret)
        assert found.pk == key.pk
        assert found.account.username == "teamowner"
