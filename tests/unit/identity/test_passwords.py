"""Password hashing (``identity/passwords.py``)."""
import pytest

from identity import passwords

ROUNDS = 4


def test_right_password_matches():
    stored = passwords.hash_password('s3cret', ROUNDS)
    assert stored.startswith('bcrypt-sha256$$2b$04$')
    assert passwords.check_password('s3cret', stored)


def test_wrong_password_does_not_match():
    stored = passwords.hash_password('s3cret', ROUNDS)
    assert not passwords.check_password('s3cret ', stored)
    assert not passwords.check_password('', stored)
    assert not passwords.check_password(None, stored)


def test_same_password_hashes_differently():
    assert passwords.hash_password('p', ROUNDS) != passwords.hash_password('p', ROUNDS)


def test_passwords_longer_than_72_bytes_work_and_differ():
    prefix = 'x' * 72
    stored = passwords.hash_password(prefix + 'A', ROUNDS)
    assert passwords.check_password(prefix + 'A', stored)
    # bcrypt alone would ignore everything after byte 72.
    assert not passwords.check_password(prefix + 'B', stored)
    assert not passwords.check_password(prefix, stored)


def test_long_multibyte_password():
    password = 'пароль' * 50  # 600 bytes in UTF-8
    assert passwords.check_password(password, passwords.hash_password(password, ROUNDS))


@pytest.mark.parametrize('stored', [None, '', 'plain', '$2b$04$notours',
                                    'bcrypt-sha256$not-a-bcrypt-hash'])
def test_unusable_hash_never_matches(stored):
    assert not passwords.check_password('anything', stored)


def test_burn_check_spends_a_check_and_matches_nothing():
    assert passwords.burn_check(ROUNDS) is None
    # The dummy hash is made once per cost factor and reused.
    dummy = passwords._dummy_hashes[ROUNDS]
    passwords.burn_check(ROUNDS)
    assert passwords._dummy_hashes[ROUNDS] is dummy
