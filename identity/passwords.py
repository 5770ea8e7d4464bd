"""Password and secret hashing with bcrypt.

bcrypt reads at most 72 bytes; longer passwords would be silently cut (and
bcrypt 5 refuses them), so every password is first reduced to a SHA-256
digest, base64-encoded (44 bytes), as passlib's ``bcrypt_sha256`` does.
Hashes are stored as ``bcrypt-sha256$<bcrypt hash>``.
"""
import base64
import hashlib
import secrets

import bcrypt

SCHEME = 'bcrypt-sha256$'
# Hashes of random passwords (one per cost factor), checked when a user does
# not exist, so that "no such user" takes as long as "wrong password".
_dummy_hashes = {}


def _prehash(password):
    return base64.b64encode(hashlib.sha256(password.encode('utf-8')).digest())


def hash_password(password, rounds):
    digest = bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds=rounds))
    return SCHEME + digest.decode('ascii')


def check_password(password, stored_hash):
    """True when ``password`` matches ``stored_hash`` (constant time)."""
    if not stored_hash or not stored_hash.startswith(SCHEME) or password is None:
        return False
    digest = stored_hash[len(SCHEME):].encode('ascii')
    try:
        return bcrypt.checkpw(_prehash(password), digest)
    except ValueError:
        return False


def burn_check(rounds):
    """Spend the time of one password check, for requests naming unknown users."""
    dummy = _dummy_hashes.get(rounds)
    if dummy is None:
        dummy = _dummy_hashes[rounds] = hash_password(secrets.token_hex(16), rounds)
    check_password('not-the-password', dummy)
