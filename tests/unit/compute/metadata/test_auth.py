"""Which instance a proxied metadata request proves it comes from."""
import hashlib
import hmac

import pytest
from werkzeug.datastructures import Headers

from compute.metadata import auth

SECRET = 'shared-secret'
INSTANCE = '3f1c2b9a-77aa-4d5e-9f00-0123456789ab'


def headers(**overrides):
    values = {'X-Instance-ID': INSTANCE, 'X-Tenant-ID': 'project-p',
              'X-Forwarded-For': '10.0.0.5',
              'X-Instance-ID-Signature': hmac.new(SECRET.encode(), INSTANCE.encode(),
                                                  hashlib.sha256).hexdigest()}
    values.update(overrides)
    return Headers([(k, v) for k, v in values.items() if v is not None])


def test_sign_is_hex_hmac_sha256_of_the_instance_id():
    assert auth.sign(SECRET, INSTANCE) == headers()['X-Instance-ID-Signature']
    assert len(auth.sign(SECRET, INSTANCE)) == 64


def test_a_signed_request_names_its_instance_project_and_address():
    requester = auth.authenticate(headers(), SECRET)
    assert (requester.instance_id, requester.project_id, requester.address) == (
        INSTANCE, 'project-p', '10.0.0.5')


def test_header_names_are_case_insensitive_and_the_first_forwarded_hop_counts():
    raw = Headers([(k.lower(), v) for k, v in headers(**{
        'X-Forwarded-For': '10.0.0.5, 192.0.2.1'}).items()])
    assert auth.authenticate(raw, SECRET).address == '10.0.0.5'


def test_the_forwarded_address_is_optional():
    assert auth.authenticate(headers(**{'X-Forwarded-For': None}), SECRET).address is None


@pytest.mark.parametrize('missing', ['X-Instance-ID', 'X-Tenant-ID', 'X-Instance-ID-Signature'])
def test_a_missing_header_is_forbidden(missing):
    with pytest.raises(auth.Forbidden, match=missing):
        auth.authenticate(headers(**{missing: None}), SECRET)


def test_a_wrong_signature_is_forbidden():
    with pytest.raises(auth.Forbidden, match='does not match'):
        auth.authenticate(headers(**{'X-Instance-ID-Signature': auth.sign('other', INSTANCE)}),
                          SECRET)


def test_a_signature_of_another_instance_is_forbidden():
    other = auth.sign(SECRET, 'another-instance')
    with pytest.raises(auth.Forbidden):
        auth.authenticate(headers(**{'X-Instance-ID-Signature': other}), SECRET)


def test_an_empty_secret_refuses_even_a_request_signed_with_it():
    signed = headers(**{'X-Instance-ID-Signature': auth.sign('', INSTANCE)})
    with pytest.raises(auth.Forbidden, match='not configured'):
        auth.authenticate(signed, '')


def test_a_non_ascii_signature_is_forbidden_not_an_error():
    with pytest.raises(auth.Forbidden):
        auth.authenticate(headers(**{'X-Instance-ID-Signature': 'é' * 64}), SECRET)
