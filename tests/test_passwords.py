"""Password hashing: scrypt unless the setting lowers it; every hash stays checkable."""

import pytest

from abm.users import passwords


@pytest.fixture
def method():
    yield passwords.configure
    passwords.configure("pbkdf2:sha256:1000")


def test_new_passwords_are_hashed_with_the_configured_method(method):
    method(None)
    strong = passwords.hash_password("s3cret")
    assert strong.startswith("scrypt:")
    method("pbkdf2:sha256:1000")
    cheap = passwords.hash_password("s3cret")
    assert cheap.startswith("pbkdf2:sha256:1000$")
    # A hash keeps its own method: both still check, whatever the setting is now.
    assert passwords.password_matches(strong, "s3cret")
    assert passwords.password_matches(cheap, "s3cret")
    assert not passwords.password_matches(cheap, "wrong")


def test_an_unknown_method_is_refused_at_start_up(method):
    with pytest.raises(ValueError):
        method("rot13")
