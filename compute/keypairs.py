"""Key pairs: imported or generated keys of a user, with Nova's fingerprints.

A key pair belongs to a user, not a project: its name is unique per user,
another user never sees it, and the ``key_pairs`` quota counts per user.
An imported key is parsed (an OpenSSH public key for ``ssh``, a PEM
certificate for ``x509``) so that garbage is refused at once; a generated
key's private half is returned once and never stored.
"""
import base64
import binascii
import datetime
import hashlib

import sqlalchemy as sa
from cryptography import exceptions as crypto_exceptions
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import exc as sa_exc

from common import exceptions
from common.db.session import is_duplicate_entry
from compute.db import models as m
from compute.keypair_types import SSH, X509

RSA_BITS = 2048
X509_VALID_DAYS = 3650


class InvalidKeypair(exceptions.BadRequest):
    msg_fmt = 'Keypair data is invalid: %(reason)s'


class KeyPairExists(exceptions.Conflict):
    msg_fmt = "Key pair '%(key_name)s' already exists."


class KeypairNotFound(exceptions.NotFound):
    msg_fmt = 'Keypair %(name)s not found for user %(user_id)s'


def _colon_hex(digest):
    return ':'.join(digest[i:i + 2] for i in range(0, len(digest), 2))


def fingerprint(public_key, key_type=SSH):
    """Nova's fingerprint: MD5 of the SSH key blob, or SHA-1 of the certificate.

    :raises InvalidKeypair: the key does not parse.
    """
    data = public_key.encode('utf-8')
    if key_type == X509:
        try:
            cert = x509.load_pem_x509_certificate(data)
        except ValueError as error:
            raise InvalidKeypair(reason=f'failed to generate X509 fingerprint. '
                                        f'Error message: {error}') from None
        return _colon_hex(cert.fingerprint(hashes.SHA1()).hex())
    try:
        serialization.load_ssh_public_key(data)
        blob = base64.b64decode(public_key.split()[1], validate=True)
    except (ValueError, IndexError, binascii.Error, crypto_exceptions.UnsupportedAlgorithm):
        raise InvalidKeypair(reason='failed to generate fingerprint') from None
    return _colon_hex(hashlib.md5(blob, usedforsecurity=False).hexdigest())


def generate(key_type, user_id):
    """A new key: ``(public_key, private_key)`` as text (OpenSSH / PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    if key_type == X509:
        private = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
        return _self_signed(key, user_id), private
    private = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    return f'{public} Generated-by-Stratus', private


def _self_signed(key, user_id):
    """A self-signed certificate for ``user_id`` (WinRM certificate login, as Nova makes)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, user_id)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=X509_VALID_DAYS))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def get_for_user(session, user_id, name):
    """The user's key pair ``name``, or ``None``."""
    return session.execute(sa.select(m.KeyPair).where(
        m.KeyPair.user_id == user_id, m.KeyPair.name == name)).scalar_one_or_none()


def get(session, user_id, name):
    """The user's key pair ``name``; :raises KeypairNotFound: when there is none."""
    keypair = get_for_user(session, user_id, name)
    if keypair is None:
        raise KeypairNotFound(name=name, user_id=user_id)
    return keypair


def list_for_user(session, user_id, *, limit=None, marker=None):
    """The user's key pairs by name; ``marker`` is the name the previous page ended with.

    :raises BadRequest: the marker is not one of the user's key pairs.
    """
    stmt = sa.select(m.KeyPair).where(m.KeyPair.user_id == user_id).order_by(m.KeyPair.id)
    if marker is not None:
        marker_row = get_for_user(session, user_id, marker)
        if marker_row is None:
            raise exceptions.BadRequest(f'marker [{marker}] not found')
        stmt = stmt.where(m.KeyPair.id > marker_row.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return session.execute(stmt).scalars().all()


def create(session, quotas, *, project_id, user_id, name, key_type=SSH, public_key=None):
    """Import (``public_key``) or generate a key pair for ``user_id``.

    :returns: ``(KeyPair, private_key or None)``.
    :raises InvalidKeypair, KeyPairExists: bad key, or the name is taken.
    :raises compute.quotas.QuotaExceeded: the user has too many key pairs.
    """
    private_key = None
    if public_key is None:
        public_key, private_key = generate(key_type, user_id)
    keypair = m.KeyPair(name=name, user_id=user_id, type=key_type, public_key=public_key,
                        fingerprint=fingerprint(public_key, key_type))
    quotas.enforce(session, project_id, {'key_pairs': 1}, user_id=user_id)
    if get_for_user(session, user_id, name) is not None:
        raise KeyPairExists(key_name=name)
    try:
        with session.begin_nested():
            session.add(keypair)
    except sa_exc.IntegrityError as error:
        if not is_duplicate_entry(error):
            raise
        raise KeyPairExists(key_name=name) from None
    return keypair, private_key


def delete(session, user_id, name):
    session.delete(get(session, user_id, name))

