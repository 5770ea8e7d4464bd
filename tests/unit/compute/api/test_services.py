"""``/os-services``: listing, enabling/disabling/forcing down agents, deleting records."""
import uuid as uuidlib

import pytest
import sqlalchemy as sa

from compute.db import models as m
from tests.unit.compute import host_factories as f
from tests.unit.compute.api.admin_client import AdminApi

URL = '/v2.1/os-services'


@pytest.fixture
def admin(api):
    return AdminApi(api)


@pytest.fixture
def records(env):
    """``{name: (id, uuid)}`` of agents h1 (up), h2 (silent for an hour) and a conductor."""
    with env.db.writer() as session:
        rows = {'h1': f.add_agent(session, 'h1'),
                'h2': f.add_agent(session, 'h2', seen_ago=3600),
                'ctl': f.add_conductor(session)}
        f.add_aggregate(session, 'a', ['h2'], zone='az2')
        return {name: (row.id, row.uuid) for name, row in rows.items()}


def _by_host(response):
    return {(s['host'], s['binary']): s for s in response.json['services']}


def test_list_shows_state_status_and_zone(admin, records):
    services = _by_host(admin.get(URL))
    h1 = services[('h1', 'nova-compute')]
    assert h1 == {'id': records['h1'][1], 'binary': 'nova-compute', 'host': 'h1',
                  'zone': 'nova', 'status': 'enabled', 'state': 'up',
                  'updated_at': h1['updated_at'], 'disabled_reason': None,
                  'forced_down': False}
    assert services[('h2', 'nova-compute')]['state'] == 'down'
    assert services[('h2', 'nova-compute')]['zone'] == 'az2'
    assert services[('ctl', 'nova-conductor')]['zone'] == 'internal'


def test_ids_are_integers_before_2_53_and_forced_down_comes_with_2_11(admin, records):
    old = _by_host(admin.get(URL, version='2.10'))[('h1', 'nova-compute')]
    assert old['id'] == records['h1'][0]
    assert 'forced_down' not in old
    assert 'forced_down' in _by_host(admin.get(URL, version='2.11'))[('h1', 'nova-compute')]


def test_list_filters_on_host_and_binary(admin, records):
    assert [s['host'] for s in admin.get(f'{URL}?host=h2').json['services']] == ['h2']
    assert [s['host'] for s in admin.get(f'{URL}?binary=nova-conductor').json['services']] \
        == ['ctl']


def test_disable_with_reason_then_enable_at_2_53(admin, records):
    url = f'{URL}/{records["h1"][1]}'
    response = admin.put(url, {'status': 'disabled', 'disabled_reason': 'maintenance'})
    assert response.status_code == 200
    body = response.json['service']
    assert (body['status'], body['disabled_reason']) == ('disabled', 'maintenance')
    body = admin.put(url, {'status': 'enabled'}).json['service']
    assert (body['status'], body['disabled_reason']) == ('enabled', None)


def test_forced_down_shows_down_until_unset(admin, records):
    url = f'{URL}/{records["h1"][1]}'
    body = admin.put(url, {'forced_down': True}).json['service']
    assert (body['forced_down'], body['state']) == (True, 'down')
    body = admin.put(url, {'forced_down': 'false'}).json['service']
    assert (body['forced_down'], body['state']) == (False, 'up')


@pytest.mark.parametrize('body', [{}, {'disabled_reason': 'x'},
                                  {'status': 'enabled', 'disabled_reason': 'x'},
                                  {'status': 'off'}, {'host': 'h1'}])
def test_bad_2_53_updates_are_400(admin, records, body):
    response = admin.put(f'{URL}/{records["h1"][1]}', body)
    assert response.status_code == 400
    assert 'badRequest' in response.json


def test_2_53_update_needs_an_existing_agent_uuid(admin, records):
    assert admin.put(f'{URL}/1', {'status': 'disabled'}).status_code == 400
    assert admin.put(f'{URL}/{uuidlib.uuid4()}', {'status': 'disabled'}).status_code == 404
    response = admin.put(f'{URL}/{records["ctl"][1]}', {'status': 'disabled'})
    assert response.status_code == 400
    assert 'Only nova-compute' in response.json['badRequest']['message']


def test_legacy_actions_before_2_53(admin, records):
    who = {'host': 'h1', 'binary': 'nova-compute'}
    response = admin.put(f'{URL}/disable-log-reason', {**who, 'disabled_reason': 'r'},
                         version='2.11')
    assert response.status_code == 200
    assert response.json == {'service': {**who, 'status': 'disabled',
                                         'disabled_reason': 'r'}}
    assert admin.put(f'{URL}/enable', who, version='2.11').json == \
        {'service': {**who, 'status': 'enabled'}}
    assert admin.put(f'{URL}/disable', who, version='2.1').json == \
        {'service': {**who, 'status': 'disabled'}}
    assert admin.put(f'{URL}/force-down', {**who, 'forced_down': True}, version='2.11').json \
        == {'service': {**who, 'forced_down': True}}
    listed = _by_host(admin.get(URL, version='2.11'))[('h1', 'nova-compute')]
    assert (listed['status'], listed['forced_down'], listed['state']) == \
        ('disabled', True, 'down')


def test_legacy_action_errors(admin, records):
    who = {'host': 'h1', 'binary': 'nova-compute'}
    assert admin.put(f'{URL}/force-down', {**who, 'forced_down': True},
                     version='2.10').status_code == 400          # not in the 2.10 schema
    assert admin.put(f'{URL}/force-down', who, version='2.11').status_code == 400
    assert admin.put(f'{URL}/disable-log-reason', who, version='2.11').status_code == 400
    assert admin.put(f'{URL}/reboot', who, version='2.11').status_code == 404
    assert admin.put(f'{URL}/disable', {'host': 'nohost', 'binary': 'nova-compute'},
                     version='2.11').status_code == 404
    response = admin.put(f'{URL}/disable', {'host': 'ctl', 'binary': 'nova-conductor'},
                         version='2.11')
    assert response.status_code == 400


def test_deleting_an_agent_removes_its_node_and_memberships(env, admin, records):
    response = admin.delete(f'{URL}/{records["h2"][1]}')
    assert response.status_code == 204
    with env.db.reader() as session:
        assert session.execute(sa.select(m.ComputeNode.host)).scalars().all() == ['h1']
        assert session.execute(sa.select(m.AggregateHost)).first() is None
        assert session.get(m.Service, records['h2'][0]) is None
    assert admin.delete(f'{URL}/{records["h2"][1]}').status_code == 404


def test_an_agent_with_servers_is_not_deleted(env, admin, records):
    with env.db.writer() as session:
        f.add_server(session, host='h1')
    response = admin.delete(f'{URL}/{records["h1"][1]}')
    assert response.status_code == 409
    assert 'hosting instances' in response.json['conflictingRequest']['message']


def test_delete_ids_follow_the_version(admin, records):
    assert admin.delete(f'{URL}/{records["ctl"][0]}').status_code == 400   # int at 2.60
    assert admin.delete(f'{URL}/abc', version='2.52').status_code == 400
    assert admin.delete(f'{URL}/{records["ctl"][0]}', version='2.52').status_code == 204


@pytest.mark.parametrize('persona', ['member', 'reader', 'project_admin'])
def test_services_are_for_cloud_admins(api, records, persona):
    assert api.get(URL, as_=persona).status_code == 403
    response = api.put(f'{URL}/{records["h1"][1]}', {'status': 'disabled'}, as_=persona,
                       version='2.60')
    assert response.status_code == 403
    assert api.delete(f'{URL}/{records["h1"][1]}', as_=persona,
                      version='2.60').status_code == 403
