"""Fernet token payloads (``identity/token/formatter.py``)."""
import datetime

import msgpack
import pytest
from cryptography import fernet

from identity.token import formatter
from identity.token.model import TokenPayload

HEX = 'a' * 32
T0 = datetime.datetime(2026, 5, 4, 3, 2, 1, 123456)


@pytest.fixture(scope='module')
def crypto():
    return fernet.MultiFernet([fernet.Fernet(fernet.Fernet.generate_key())])


def _payload(**kwargs):
    values = dict(user_id='0123456789abcdef0123456789abcdef', methods=['password'],
                  issued_at=T0, expires_at=T0 + datetime.timedelta(hours=1),
                  audit_ids=[formatter.new_audit_id()])
    values.update(kwargs)
    return TokenPayload(**values)


@pytest.mark.parametrize('scope', [
    {},
    {'project_id': HEX},
    {'domain_id': HEX},
    {'domain_id': 'default'},
    {'system': True},
    {'project_id': HEX, 'application_credential_id': 'b' * 32},
], ids=['unscoped', 'project', 'domain', 'default-domain', 'system', 'app-credential'])
def test_round_trip_of_every_scope(crypto, scope):
    payload = _payload(**scope)
    assert formatter.unpack(formatter.pack(payload, crypto), crypto) == payload


def test_round_trip_keeps_methods_times_and_audit_chain(crypto):
    payload = _payload(methods=['password', 'token', 'application_credential'],
                       audit_ids=[formatter.new_audit_id(), formatter.new_audit_id()],
                       project_id=HEX)
    unpacked = formatter.unpack(formatter.pack(payload, crypto), crypto)
    assert unpacked.methods == ['password', 'token', 'application_credential']
    assert unpacked.issued_at == T0  # to the microsecond
    assert unpacked.audit_ids == payload.audit_ids
    assert unpacked.audit_chain_id == payload.audit_ids[-1]
    assert unpacked.scoped


def test_ids_that_are_not_hex_travel_as_strings(crypto):
    payload = _payload(user_id='admin-user', project_id='ABCDEF' * 5 + 'AB')
    assert formatter.unpack(formatter.pack(payload, crypto), crypto) == payload


def test_token_is_compact_and_unpadded(crypto):
    token = formatter.pack(_payload(project_id=HEX), crypto)
    assert '=' not in token
    assert len(token) < 260


# Not the very last character: in unpadded base64 it may carry only bits
# that decoding ignores, so changing it can leave the bytes as they were.
@pytest.mark.parametrize('position', [0, 10, 50, -5, -2])
def test_tampered_token_is_malformed(crypto, position):
    token = formatter.pack(_payload(project_id=HEX), crypto)
    chars = list(token)
    chars[position] = 'A' if chars[position] != 'A' else 'B'
    with pytest.raises(formatter.MalformedToken):
        formatter.unpack(''.join(chars), crypto)


@pytest.mark.parametrize('token', ['', 'garbage', 'gAAAAA', 'ünïcode', 'a' * 500])
def test_garbage_is_malformed(crypto, token):
    with pytest.raises(formatter.MalformedToken):
        formatter.unpack(token, crypto)


def test_token_of_another_key_is_malformed(crypto):
    other = fernet.MultiFernet([fernet.Fernet(fernet.Fernet.generate_key())])
    with pytest.raises(formatter.MalformedToken):
        formatter.unpack(formatter.pack(_payload(), other), crypto)


@pytest.mark.parametrize('body', [
    [2, 'u', 1, 0, None, 0, 0, [], None],     # unknown version
    [1, 'u', 1, 0],                            # too short
    {'not': 'a list'},
])
def test_unexpected_contents_are_malformed(crypto, body):
    token = crypto.encrypt(msgpack.packb(body, use_bin_type=True)).decode().rstrip('=')
    with pytest.raises(formatter.MalformedToken):
        formatter.unpack(token, crypto)


def test_audit_ids_are_unique_and_url_safe():
    ids = {formatter.new_audit_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(len(i) == 22 and '=' not in i and '+' not in i and '/' not in i for i in ids)
