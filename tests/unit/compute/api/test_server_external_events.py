"""``POST /os-server-external-events``: codes per event, 207/404 answers, policy, schema."""
import datetime
import uuid as uuidlib

import pytest

from compute import states
from tests.unit.compute.api import server_fakes as fakes

URL = '/v2.1/os-server-external-events'
PORT = '5b0a8a9e-7d6c-4e0b-8a51-0d8b4a1d3c11'
SERVICE = {'X-User-Id': 'network', 'X-Project-Id': 'service-project', 'X-Roles': 'service',
           'X-Is-Admin-Project': 'False'}


def _plugged(server_uuid, **extra):
    return {'name': 'network-vif-plugged', 'server_uuid': server_uuid, 'tag': PORT, **extra}


def _post(api, events, as_='cloud_admin', **kwargs):
    return api.post(URL, {'events': events}, as_=as_, **kwargs)


@pytest.fixture
def server(env):
    """A server building on host1, as the network service finds it when it wires a port."""
    return fakes.make_server(env, vm_state=states.BUILDING, task_state=states.SPAWNING)


def test_the_network_service_reports_a_port_plugged(api, env, server):
    response = api.post(URL, {'events': [_plugged(server)]}, as_=None, headers=SERVICE)
    assert response.status_code == 200, response.json
    assert response.json == {'events': [{'name': 'network-vif-plugged', 'server_uuid': server,
                                         'tag': PORT, 'status': 'completed', 'code': 200}]}
    assert env.conductor.named('external_instance_event') == [{'events': [
        {'server_uuid': server, 'name': 'network-vif-plugged', 'status': 'completed',
         'tag': PORT}]}]


def test_a_failed_event_is_accepted_and_passed_on_as_failed(api, env, server):
    response = _post(api, [_plugged(server, status='failed')])
    assert response.status_code == 200
    # As Nova: the answer's status says whether the event was accepted.
    assert response.json['events'][0]['status'] == 'completed'
    sent, = env.conductor.named('external_instance_event')
    assert sent['events'][0]['status'] == 'failed'


def test_unknown_and_hostless_servers_make_a_207(api, env, server):
    unknown = str(uuidlib.uuid4())
    hostless = fakes.make_server(env, vm_state=states.BUILDING,
                                 task_state=states.SCHEDULING, host=None, node=None)
    response = _post(api, [_plugged(server), _plugged(unknown), _plugged(hostless)])
    assert response.status_code == 207
    assert [(e['code'], e['status']) for e in response.json['events']] == [
        (200, 'completed'), (404, 'failed'), (422, 'failed')]
    sent, = env.conductor.named('external_instance_event')
    assert [e['server_uuid'] for e in sent['events']] == [server]


def test_no_server_found_is_a_404_and_nothing_is_sent(api, env):
    response = _post(api, [_plugged(str(uuidlib.uuid4()))])
    assert response.status_code == 404
    assert response.json['itemNotFound']['message'] == 'No instances found for any event'
    assert env.conductor.named('external_instance_event') == []


def test_a_deleted_server_is_not_found(api, env):
    gone = fakes.make_server(env, vm_state=states.DELETED,
                             deleted_at=datetime.datetime(2026, 1, 1))
    assert _post(api, [_plugged(gone)]).status_code == 404


def test_volume_extended_needs_2_51_and_a_tag(api, env, server):
    event = {'name': 'volume-extended', 'server_uuid': server}
    assert _post(api, [dict(event, tag='v1')], version='2.50').status_code == 400
    response = _post(api, [dict(event, tag='v1'), event, _plugged(server)], version='2.51')
    assert response.status_code == 207
    assert [e['code'] for e in response.json['events']] == [200, 400, 200]


@pytest.mark.parametrize('persona', ['member', 'reader', 'project_admin', 'other_member',
                                     'foo'])
def test_only_services_and_cloud_admins_may_report_events(api, env, server, persona):
    response = _post(api, [_plugged(server)], as_=persona)
    assert response.status_code == 403
    assert env.conductor.named('external_instance_event') == []


@pytest.mark.parametrize('body', [
    {},
    {'events': []},
    {'events': {}},
    {'events': [{'name': 'network-vif-plugged'}]},
    {'events': [{'server_uuid': '6f0b3d5e-0c4e-4f3c-9d51-2b9a7c0e1a22'}]},
    {'events': [{'name': 'reboot', 'server_uuid': '6f0b3d5e-0c4e-4f3c-9d51-2b9a7c0e1a22'}]},
    {'events': [{'name': 'network-vif-plugged', 'server_uuid': 'not-a-uuid'}]},
    {'events': [{'name': 'network-vif-plugged',
                 'server_uuid': '6f0b3d5e-0c4e-4f3c-9d51-2b9a7c0e1a22', 'status': 'done'}]},
    {'events': [{'name': 'network-vif-plugged',
                 'server_uuid': '6f0b3d5e-0c4e-4f3c-9d51-2b9a7c0e1a22', 'tag': 'x' * 256}]},
    {'events': [{'name': 'network-vif-plugged',
                 'server_uuid': '6f0b3d5e-0c4e-4f3c-9d51-2b9a7c0e1a22', 'extra': 1}]},
    {'events': [], 'more': 1},
])
def test_bad_bodies_are_400(api, env, body):
    response = api.post(URL, body, as_='cloud_admin')
    assert response.status_code == 400, response.json
    assert env.conductor.named('external_instance_event') == []


def test_a_conductor_that_cannot_be_reached_is_a_503(api, env, server, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError('AMQP server on 127.0.0.1:5672 is unreachable')
    monkeypatch.setattr(env.conductor, 'external_instance_event', unreachable)
    assert _post(api, [_plugged(server)]).status_code == 503
