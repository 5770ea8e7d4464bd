"""GET, PUT and DELETE /servers/{id}: the shape per version, isolation, deletes."""
import json

import pytest
import sqlalchemy as sa

from common.db.types import utcnow
from compute.db import api as db_api
from compute.db import models
from tests.unit.compute.api import server_fakes as fakes
from tests.unit.compute.api.server_fakes import IMAGE_ID, make_server

V21_KEYS = {'id', 'name', 'status', 'tenant_id', 'user_id', 'metadata', 'hostId', 'image',
            'flavor', 'created', 'updated', 'addresses', 'accessIPv4', 'accessIPv6', 'links',
            'key_name', 'progress', 'config_drive', 'OS-DCF:diskConfig',
            'OS-EXT-AZ:availability_zone', 'OS-EXT-STS:vm_state', 'OS-EXT-STS:task_state',
            'OS-EXT-STS:power_state', 'OS-SRV-USG:launched_at', 'OS-SRV-USG:terminated_at',
            'os-extended-volumes:volumes_attached', 'security_groups'}
NETWORK_INFO = [{'port_id': 'p1', 'network_id': 'n1', 'network_name': 'private',
                 'mac': 'fa:16:3e:00:00:01',
                 'ips': [{'addr': '10.0.0.5', 'version': 4, 'type': 'fixed'},
                         {'addr': '172.24.4.9', 'version': 4, 'type': 'floating'}]}]


@pytest.fixture
def cloud(env):
    return fakes.prepare(env)


def _show(cloud, uuid, **kwargs):
    return cloud.api.get(f'/v2.1/servers/{uuid}', **kwargs)


def test_show_at_2_1_has_exactly_nova_keys(cloud):
    uuid = make_server(cloud, network_info=json.dumps(NETWORK_INFO))
    server = _show(cloud, uuid).json['server']
    assert set(server) == V21_KEYS
    assert server['status'] == 'ACTIVE'
    assert server['image'] == {'id': IMAGE_ID, 'links': [
        {'rel': 'bookmark', 'href': f'http://localhost/images/{IMAGE_ID}'}]}
    assert server['flavor'] == {'id': '1', 'links': [
        {'rel': 'bookmark', 'href': 'http://localhost/flavors/1'}]}
    assert server['addresses'] == {'private': [
        {'version': 4, 'addr': '10.0.0.5', 'OS-EXT-IPS:type': 'fixed',
         'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:01'},
        {'version': 4, 'addr': '172.24.4.9', 'OS-EXT-IPS:type': 'floating',
         'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:01'}]}
    assert server['security_groups'] == [{'name': 'default'}]
    assert len(server['hostId']) == 56
    assert server['created'].endswith('Z')


def test_show_at_2_60_adds_the_versioned_keys(cloud):
    uuid = make_server(cloud)
    server = _show(cloud, uuid, version='2.60').json['server']
    assert set(server) == V21_KEYS | {'locked', 'description', 'tags'}
    assert server['flavor'] == {'vcpus': 1, 'ram': 512, 'disk': 1, 'ephemeral': 0, 'swap': 0,
                                'original_name': 'm1.tiny', 'extra_specs': {}}
    assert 'id' in _show(cloud, uuid, version='2.46').json['server']['flavor']
    assert 'locked' in _show(cloud, uuid, version='2.9').json['server']
    assert 'locked' not in _show(cloud, uuid, version='2.8').json['server']


def test_admins_see_extended_attributes_and_host_status(cloud):
    uuid = make_server(cloud, reservation_id='r-x')
    server = _show(cloud, uuid, as_='cloud_admin', version='2.60').json['server']
    assert server['OS-EXT-SRV-ATTR:host'] == 'host1'
    assert server['OS-EXT-SRV-ATTR:reservation_id'] == 'r-x'
    assert server['host_status'] == 'UNKNOWN'  # no agent record for host1
    with cloud.db.writer() as session:
        session.add(models.Service(host='host1', binary='nova-compute', disabled=True,
                                   last_seen_up=utcnow()))
    server = _show(cloud, uuid, as_='cloud_admin', version='2.60').json['server']
    assert server['host_status'] == 'MAINTENANCE'
    v21 = _show(cloud, uuid, as_='cloud_admin').json['server']
    assert 'OS-EXT-SRV-ATTR:host' in v21 and 'OS-EXT-SRV-ATTR:reservation_id' not in v21
    assert 'host_status' not in v21


def test_error_servers_show_their_fault(cloud):
    uuid = make_server(cloud, vm_state='error', host=None)
    with cloud.db.writer() as session:
        db_api.add_fault(session, uuid, 500, 'No valid host was found.', details='trace')
    server = _show(cloud, uuid).json['server']
    assert server['status'] == 'ERROR'
    assert server['fault']['message'] == 'No valid host was found.'
    assert 'details' not in server['fault']
    assert _show(cloud, uuid, as_='cloud_admin').json['server']['fault']['details'] == 'trace'


@pytest.mark.parametrize('persona', ['other_member', 'other_reader', 'third_member'])
def test_other_projects_get_404_everywhere(cloud, persona):
    uuid = make_server(cloud)
    assert _show(cloud, uuid, as_=persona).status_code == 404
    assert cloud.api.put(f'/v2.1/servers/{uuid}', {'server': {'name': 'x'}},
                         as_=persona).status_code == 404
    assert cloud.api.delete(f'/v2.1/servers/{uuid}', as_=persona).status_code == 404
    assert cloud.conductor.calls == []


def test_name_lookups_are_404(cloud):
    response = _show(cloud, 'vm1')
    assert response.status_code == 404
    assert response.json['itemNotFound']['message'] == 'Instance vm1 could not be found.'


def test_cloud_admin_sees_other_projects_servers(cloud):
    uuid = make_server(cloud)
    assert _show(cloud, uuid, as_='cloud_admin').status_code == 200


def test_update_changes_name_description_and_access_ips(cloud):
    uuid = make_server(cloud, network_info=json.dumps(NETWORK_INFO))
    response = cloud.api.put(f'/v2.1/servers/{uuid}', {'server': {
        'name': 'renamed', 'description': 'd', 'accessIPv4': '192.0.2.1'}}, version='2.60')
    assert response.status_code == 200, response.json
    server = response.json['server']
    assert (server['name'], server['description'], server['accessIPv4']) == \
        ('renamed', 'd', '192.0.2.1')
    assert 'OS-EXT-STS:vm_state' not in server and 'security_groups' not in server
    assert server['addresses'] == {'private': [{'version': 4, 'addr': '10.0.0.5'},
                                               {'version': 4, 'addr': '172.24.4.9'}]}
    assert _show(cloud, uuid).json['server']['name'] == 'renamed'


def test_update_validates_by_version_and_role(cloud):
    uuid = make_server(cloud)
    path = f'/v2.1/servers/{uuid}'
    assert cloud.api.put(path, {'server': {'description': 'd'}},
                         version='2.18').status_code == 400
    assert cloud.api.put(path, {'server': {'name': ''}}).status_code == 400
    assert cloud.api.put(path, {'server': {'name': 'x'}}, as_='reader').status_code == 403


def test_delete_of_a_server_with_a_host_goes_through_the_conductor(cloud):
    uuid = make_server(cloud)
    response = cloud.api.delete(f'/v2.1/servers/{uuid}')
    assert response.status_code == 204
    assert cloud.conductor.calls == [('run_action', {'instance_uuid': uuid, 'action': 'delete',
                                                     'params': {}})]
    with cloud.db.reader() as session:
        instance = db_api.get_instance(session, uuid)
        actions = [a.action for a in session.execute(sa.select(models.InstanceAction)).scalars()]
    assert instance.task_state == 'deleting'
    assert actions == ['delete']
    assert _show(cloud, uuid).json['server']['status'] == 'ACTIVE'


def test_delete_of_a_server_without_a_host_happens_at_once(cloud):
    uuid = make_server(cloud, host=None, node=None, vm_state='building', task_state='scheduling')
    with cloud.db.writer() as session:
        group = models.ServerGroup(name='g', project_id=fakes.PROJECT, user_id='u',
                                   policy='affinity')
        session.add(group)
        session.flush()
        session.add(models.ServerGroupMember(group_id=group.id, instance_uuid=uuid))
    assert cloud.api.delete(f'/v2.1/servers/{uuid}').status_code == 204
    assert cloud.conductor.calls == []
    assert _show(cloud, uuid).status_code == 404
    with cloud.db.reader() as session:
        instance = db_api.get_instance(session, uuid, include_deleted=True)
        members = session.execute(sa.select(models.ServerGroupMember)).scalars().all()
    assert (instance.vm_state, instance.terminated_at is not None) == ('deleted', True)
    assert members == []


def test_locked_servers_are_409_for_projects_not_for_admins(cloud):
    uuid = make_server(cloud, locked=True, locked_by='owner')
    response = cloud.api.delete(f'/v2.1/servers/{uuid}')
    assert response.status_code == 409
    assert response.json['conflictingRequest']['message'] == f'Instance {uuid} is locked'
    assert cloud.api.delete(f'/v2.1/servers/{uuid}', as_='cloud_admin').status_code == 204


def test_readers_cannot_delete(cloud):
    uuid = make_server(cloud)
    assert cloud.api.delete(f'/v2.1/servers/{uuid}', as_='reader').status_code == 403
