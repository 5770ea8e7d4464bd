"""The app factory's behaviour at the edges (``common/wsgi/app.py``).

A small app built with ``create_base_app`` stands in for a service: a
public route, routes that do and do not ask policy, and routes that fail
in every way a handler can.
"""
import logging
import re
import uuid

import flask
import pytest
from oslo_policy import policy as oslo_policy

from common import exceptions
from common.context import RequestContext
from common.policy import Enforcer
from common.wsgi import app as wsgi_app
from common.wsgi import validation

GOOD_TOKEN = 'good-token'
ECHO_SCHEMA = {'type': 'object', 'required': ['thing'],
               'properties': {'thing': {'type': 'object', 'required': ['name'],
                                        'properties': {'name': {'type': 'string'}}}}}
RULES = [oslo_policy.RuleDefault('test:read', 'role:member'),
         oslo_policy.RuleDefault('test:admin', 'rule:cloud_admin')]


def _authenticate(request):
    if request.headers.get('X-Auth-Token') != GOOD_TOKEN:
        raise exceptions.Unauthorized()
    return RequestContext(user_id='u1', project_id='p1', roles=['member'],
                          is_admin_project=False, overwrite=False)


def _ids():
    ctx = wsgi_app.context()
    return {'request_id': ctx.request_id, 'global_request_id': ctx.global_request_id,
            'user_id': ctx.user_id}


def build_app(conf, fault_style='keystone', health_check=None, testing=True):
    app = wsgi_app.create_base_app(__name__, service='test', conf=conf,
                                   fault_style=fault_style, authenticate=_authenticate,
                                   health_check=health_check)
    app.testing = testing
    enforcer = Enforcer(conf, RULES)

    @app.get('/public')
    @wsgi_app.public
    def public_route():
        return flask.jsonify(_ids())

    @app.get('/checked')
    def checked():
        enforcer.authorize(wsgi_app.context(), 'test:read', {})
        return flask.jsonify(_ids())

    @app.get('/admin-only')
    def admin_only():
        enforcer.authorize(wsgi_app.context(), 'test:admin', {})
        return flask.jsonify(_ids())

    @app.get('/unchecked')
    def unchecked():
        return flask.jsonify(_ids())

    @app.get('/raise/<int:code>')
    @wsgi_app.public
    def raise_code(code):
        kinds = {400: exceptions.BadRequest, 403: exceptions.Forbidden,
                 404: exceptions.NotFound, 409: exceptions.Conflict,
                 415: exceptions.UnsupportedMediaType, 503: exceptions.ServiceUnavailable}
        raise kinds[code]('raised on purpose')

    @app.get('/crash')
    @wsgi_app.public
    def crash():
        raise RuntimeError('secret detail /etc/stratus/identity.conf')

    @app.route('/value-error', methods=['GET', 'POST'])
    @wsgi_app.public
    def value_error():
        raise ValueError('not a number: x')

    @app.post('/echo')
    @wsgi_app.public
    def echo():
        return flask.jsonify(validation.json_body(ECHO_SCHEMA))

    return app


@pytest.fixture
def client(conf, monkeypatch):
    monkeypatch.delenv('PROMETHEUS_MULTIPROC_DIR', raising=False)
    return build_app(conf).test_client()


def _token():
    return {'X-Auth-Token': GOOD_TOKEN}


# -- fault mapping -------------------------------------------------------------

@pytest.mark.parametrize('code, title', [(400, 'Bad Request'), (403, 'Forbidden'),
                                         (404, 'Not Found'), (409, 'Conflict'),
                                         (415, 'Unsupported Media Type'),
                                         (503, 'Service Unavailable')])
def test_stratus_errors_become_keystone_faults(client, code, title):
    response = client.get(f'/raise/{code}')
    assert response.status_code == code
    assert response.content_type == 'application/json'
    assert response.json == {'error': {'code': code, 'title': title,
                                       'message': 'raised on purpose'}}


@pytest.mark.parametrize('style, expected', [
    ('keystone', {'error': {'code': 409, 'title': 'Conflict', 'message': 'raised on purpose'}}),
    ('openstack', {'conflictingRequest': {'code': 409, 'message': 'raised on purpose'}}),
    ('neutron', {'NeutronError': {'type': 'Conflict', 'message': 'raised on purpose',
                                  'detail': ''}}),
])
def test_each_dialect_renders_the_same_error(conf, style, expected):
    response = build_app(conf, fault_style=style).test_client().get('/raise/409')
    assert response.status_code == 409
    assert response.json == expected


def test_unknown_route_is_a_404_fault(client):
    response = client.get('/no/such/route')
    assert response.status_code == 404
    assert response.json['error']['code'] == 404
    assert response.json['error']['title'] == 'Not Found'


def test_wrong_method_is_a_405_fault_with_allow(client):
    response = client.delete('/public')
    assert response.status_code == 405
    assert response.json['error']['code'] == 405
    assert 'GET' in response.headers['Allow']


def test_body_over_the_limit_is_413(client, conf):
    limit = conf.api.max_request_body_size
    response = client.post('/echo', data='{"thing": "' + 'x' * limit + '"}',
                           content_type='application/json')
    assert response.status_code == 413
    assert response.json['error']['code'] == 413
    assert str(limit) in response.json['error']['message']


def test_body_under_the_limit_is_read(client):
    response = client.post('/echo', json={'thing': {'name': 'a'}})
    assert response.status_code == 200
    assert response.json == {'thing': {'name': 'a'}}


def test_unexpected_exception_is_a_500_without_details(client, caplog):
    with caplog.at_level(logging.ERROR, logger='common.wsgi.app'):
        response = client.get('/crash')
    assert response.status_code == 500
    assert response.json['error']['code'] == 500
    text = response.get_data(as_text=True)
    assert 'secret detail' not in text
    assert 'Traceback' not in text and 'RuntimeError' not in text
    # The operator still gets the stack trace, in the log.
    assert any(r.exc_info for r in caplog.records)


@pytest.mark.parametrize('method', ['GET', 'POST'])
def test_value_error_in_a_view_is_our_fault(client, method):
    """Input is validated before views use it: a ValueError there is a bug, not bad input."""
    response = client.open('/value-error', method=method, json={})
    assert response.status_code == 500
    assert 'not a number' not in response.text


def test_lone_surrogates_are_bad_input(client):
    response = client.post('/echo', data='{"thing": {"name": "\\ud800"}}',
                           content_type='application/json')
    assert response.status_code == 400


def test_validation_error_names_the_field(client):
    response = client.post('/echo', json={'thing': {'name': 5}})
    assert response.status_code == 400
    assert response.json['error']['message'] == (
        "Invalid input for field 'thing.name': 5 is not of type 'string'")


# -- authentication and policy ------------------------------------------------

def test_route_needs_a_token(client):
    response = client.get('/checked')
    assert response.status_code == 401
    assert response.json['error']['title'] == 'Unauthorized'


def test_route_with_policy_check_answers(client):
    response = client.get('/checked', headers=_token())
    assert response.status_code == 200
    assert response.json['user_id'] == 'u1'


def test_policy_denial_is_403(client):
    response = client.get('/admin-only', headers=_token())
    assert response.status_code == 403
    assert 'test:admin' in response.json['error']['message']


def test_route_without_policy_check_fails_under_testing(client):
    with pytest.raises(AssertionError, match='unchecked skipped policy enforcement'):
        client.get('/unchecked', headers=_token())


def test_route_without_policy_check_is_logged_in_production(conf, caplog):
    client = build_app(conf, testing=False).test_client()
    with caplog.at_level(logging.ERROR, logger='common.wsgi.app'):
        response = client.get('/unchecked', headers=_token())
    assert response.status_code == 200
    assert 'answered without a policy check' in caplog.text


def test_public_route_needs_no_token_nor_policy(client):
    assert client.get('/public').status_code == 200


def test_automatic_options_answer_is_not_a_policy_skip(client):
    response = client.options('/checked', headers=_token())
    assert response.status_code == 200
    assert 'GET' in response.headers['Allow']


# -- request ids ---------------------------------------------------------------

def test_every_response_carries_a_request_id(client):
    first = client.get('/public')
    second = client.get('/no/such/route')
    for response in (first, second):
        assert re.fullmatch(r'req-[0-9a-f-]{36}', response.headers['X-Openstack-Request-Id'])
    assert first.headers['X-Openstack-Request-Id'] != second.headers['X-Openstack-Request-Id']
    assert first.json['request_id'] == first.headers['X-Openstack-Request-Id']


def test_well_formed_global_request_id_is_kept(client):
    global_id = f'req-{uuid.uuid4()}'
    response = client.get('/checked', headers={**_token(), 'X-Openstack-Request-Id': global_id})
    assert response.json['global_request_id'] == global_id
    # Our own request id is always new.
    assert response.headers['X-Openstack-Request-Id'] != global_id


@pytest.mark.parametrize('incoming', ['not-a-request-id', f'req-{uuid.uuid4()}\nX-Evil: 1',
                                      f'REQ-{uuid.uuid4()}', str(uuid.uuid4()),
                                      f'req-{uuid.uuid4()}' + 'a'])
def test_malformed_global_request_id_is_ignored(client, incoming):
    response = client.get('/public', headers={'X-Openstack-Request-Id': incoming.replace(
        '\n', ' ')})
    assert response.status_code == 200
    assert response.json['global_request_id'] is None


# -- operational routes --------------------------------------------------------

def test_healthz_is_ok_without_a_check(client):
    response = client.get('/healthz')
    assert response.status_code == 200
    assert response.json == {'status': 'ok'}


def test_healthz_runs_the_check(conf):
    calls = []
    client = build_app(conf, health_check=lambda: calls.append(1)).test_client()
    assert client.get('/healthz').status_code == 200
    assert calls == [1]


def test_healthz_is_503_when_the_check_raises(conf):
    def database_down():
        raise ConnectionError('database unreachable')

    response = build_app(conf, health_check=database_down).test_client().get('/healthz')
    assert response.status_code == 503
    assert response.json == {'status': 'unavailable', 'reason': 'database unreachable'}


def test_metrics_count_requests_per_route_and_status(client):
    client.get('/public')
    client.get('/public')
    client.get('/checked')
    response = client.get('/metrics')
    assert response.status_code == 200
    assert response.content_type.startswith('text/plain')
    text = response.get_data(as_text=True)
    assert ('stratus_http_requests_total{method="GET",route="/public",service="test",'
            'status="200"} 2.0') in text
    assert ('stratus_http_requests_total{method="GET",route="/checked",service="test",'
            'status="401"} 1.0') in text
    assert 'stratus_http_request_duration_seconds_bucket' in text


def test_metrics_of_two_apps_are_separate(conf, monkeypatch):
    monkeypatch.delenv('PROMETHEUS_MULTIPROC_DIR', raising=False)
    first, second = build_app(conf).test_client(), build_app(conf).test_client()
    first.get('/public')
    assert 'route="/public"' not in second.get('/metrics').get_data(as_text=True)
