"""Fault bodies in the three OpenStack dialects (``common/wsgi/faults.py``)."""
import json

import flask
import pytest

from common.wsgi import faults


@pytest.fixture
def app_context():
    with flask.Flask(__name__).app_context():
        yield


@pytest.mark.parametrize('code, name', [
    (400, 'badRequest'), (401, 'unauthorized'), (403, 'forbidden'), (404, 'itemNotFound'),
    (405, 'badMethod'), (409, 'conflictingRequest'), (413, 'overLimit'),
    (503, 'serviceUnavailable'), (500, 'computeFault'), (418, 'badRequest'),
])
def test_openstack_dialect_names_the_fault_by_status(code, name):
    body = faults.openstack_body(code, 'Title', 'what went wrong', 'SomeError')
    assert body == {name: {'code': code, 'message': 'what went wrong'}}


def test_keystone_dialect_has_code_title_and_message():
    body = faults.keystone_body(404, 'Not Found', 'Could not find project: x.', 'ProjectNotFound')
    assert body == {'error': {'code': 404, 'title': 'Not Found',
                              'message': 'Could not find project: x.'}}


def test_neutron_dialect_carries_the_error_type():
    body = faults.neutron_body(409, 'Conflict', 'in use', 'NetworkInUse')
    assert body == {'NeutronError': {'type': 'NetworkInUse', 'message': 'in use', 'detail': ''}}


@pytest.mark.parametrize('style', sorted(faults.FAULT_STYLES))
def test_fault_response_is_json_with_status_and_headers(app_context, style):
    response = faults.fault_response(style, 401, 'Unauthorized', 'log in', 'Unauthorized',
                                     headers={'WWW-Authenticate': 'Keystone uri="x"'})
    assert response.status_code == 401
    assert response.content_type == 'application/json'
    assert response.headers['WWW-Authenticate'] == 'Keystone uri="x"'
    body = json.loads(response.get_data())
    assert 'log in' in json.dumps(body)
