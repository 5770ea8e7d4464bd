"""Packing a ``TokenPayload`` into a Fernet token and back.

The payload is a msgpack list; 32-hex ids travel as 16 raw bytes and
times as integer microseconds, which keeps tokens near 200 characters and
makes ``issued_at`` round-trip exactly (validation must render the same
body as issuance).  Padding ``=`` is stripped, as Keystone does, because
some clients mangle it in headers.
"""
import base64
import datetime
import os

import msgpack
from cryptography import fernet

from identity.token.model import METHODS, TokenPayload

VERSION = 1
_SCOPE_NONE, _SCOPE_PROJECT, _SCOPE_DOMAIN, _SCOPE_SYSTEM = range(4)
_EPOCH = datetime.datetime(1970, 1, 1)


class MalformedToken(Exception):
    """The string is not a token this service issued with a key it still has."""


def new_audit_id():
    return base64.urlsafe_b64encode(os.urandom(16)).rstrip(b'=').decode('ascii')


def _pack_id(value):
    if value is not None and len(value) == 32 and value == value.lower():
        try:
            return bytes.fromhex(value)
        except ValueError:
            pass
    return value


def _unpack_id(value):
    return value.hex() if isinstance(value, bytes) else value


def _pack_time(value):
    return (value - _EPOCH) // datetime.timedelta(microseconds=1)


def _unpack_time(value):
    return _EPOCH + datetime.timedelta(microseconds=value)


def _pack_audit(audit_id):
    return base64.urlsafe_b64decode(audit_id + '==')


def _unpack_audit(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b'=').decode('ascii')


def pack(payload, crypto):
    """The token string for ``payload``, signed with the primary key."""
    methods = sum(1 << METHODS.index(m) for m in payload.methods)
    if payload.project_id:
        scope = (_SCOPE_PROJECT, _pack_id(payload.project_id))
    elif payload.domain_id:
        scope = (_SCOPE_DOMAIN, _pack_id(payload.domain_id))
    elif payload.system:
        scope = (_SCOPE_SYSTEM, None)
    else:
        scope = (_SCOPE_NONE, None)
    body = [VERSION, _pack_id(payload.user_id), methods, scope[0], scope[1],
            _pack_time(payload.issued_at), _pack_time(payload.expires_at),
            [_pack_audit(a) for a in payload.audit_ids],
            _pack_id(payload.application_credential_id)]
    token = crypto.encrypt(msgpack.packb(body, use_bin_type=True))
    return token.rstrip(b'=').decode('ascii')


def unpack(token, crypto):
    """The payload sealed in ``token``.

    :raises MalformedToken: when it was not issued by us, was tampered with,
        or was signed by a key that has been rotated out.
    """
    try:
        raw = token.encode('ascii')
        raw += b'=' * (-len(raw) % 4)
        body = msgpack.unpackb(crypto.decrypt(raw), raw=False)
        (version, user_id, methods, scope_kind, scope_id, issued, expires,
         audit_ids, app_cred_id) = body
    except (fernet.InvalidToken, UnicodeError, ValueError, TypeError,
            msgpack.ExtraData, msgpack.FormatError, msgpack.StackError) as exc:
        raise MalformedToken(str(exc) or type(exc).__name__) from None
    if version != VERSION:
        raise MalformedToken(f'unknown token version {version}')
    return TokenPayload(
        user_id=_unpack_id(user_id),
        methods=[m for i, m in enumerate(METHODS) if methods & (1 << i)],
        issued_at=_unpack_time(issued),
        expires_at=_unpack_time(expires),
        audit_ids=[_unpack_audit(a) for a in audit_ids],
        project_id=_unpack_id(scope_id) if scope_kind == _SCOPE_PROJECT else None,
        domain_id=_unpack_id(scope_id) if scope_kind == _SCOPE_DOMAIN else None,
        system=scope_kind == _SCOPE_SYSTEM,
        application_credential_id=_unpack_id(app_cred_id),
    )
