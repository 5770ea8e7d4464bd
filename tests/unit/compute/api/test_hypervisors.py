"""``/os-hypervisors``: lists, detail, statistics, show, and the pre-2.53 routes."""
import json

import pytest
import sqlalchemy as sa

from compute import states
from compute.db import models as m
from tests.unit.compute import host_factories as f
from tests.unit.compute.api.admin_client import AdminApi

URL = '/v2.1/os-hypervisors'


@pytest.fixture
def admin(api):
    return AdminApi(api)


@pytest.fixture
def nodes(env):
    """Hosts h1 (two servers, one busy), h2 (disabled, down) and a node without agent."""
    with env.db.writer() as session:
        f.add_agent(session, 'h1', vcpus_used=3, memory_mb_used=1024, local_gb_used=30)
        f.add_agent(session, 'h2', disabled=True, disabled_reason='broken', seen_ago=3600,
                    vcpus=8, memory_mb=8192, local_gb=100)
        f.add_server(session, host='h1', name='a')
        f.add_server(session, host='h1', name='b', task_state=states.REBOOTING)
        f.add_server(session, host='h1', name='gone', deleted_at=f.T0)
        session.add(m.ComputeNode(host='orphan', hypervisor_hostname='orphan.example',
                                  hypervisor_type='fake', vcpus=1, memory_mb=1, local_gb=1,
                                  cpu_allocation_ratio=1, ram_allocation_ratio=1,
                                  disk_allocation_ratio=1))
        session.flush()
        rows = session.execute(sa.select(m.ComputeNode).order_by(m.ComputeNode.id)).scalars()
        return {n.host: (n.id, n.uuid) for n in rows}


def test_list_shows_nodes_with_an_agent_and_their_state(admin, nodes):
    response = admin.get(URL)
    assert response.status_code == 200
    assert response.json['hypervisors'] == [
        {'id': nodes['h1'][1], 'hypervisor_hostname': 'h1.example', 'state': 'up',
         'status': 'enabled'},
        {'id': nodes['h2'][1], 'hypervisor_hostname': 'h2.example', 'state': 'down',
         'status': 'disabled'}]


def test_ids_are_integers_before_2_53(admin, nodes):
    ids = [h['id'] for h in admin.get(URL, version='2.52').json['hypervisors']]
    assert ids == [nodes['h1'][0], nodes['h2'][0]]


def test_detail_counts_servers_from_the_database(admin, nodes):
    h1 = admin.get(f'{URL}/detail').json['hypervisors'][0]
    assert {k: h1[k] for k in ('vcpus', 'vcpus_used', 'memory_mb', 'memory_mb_used',
                               'free_ram_mb', 'local_gb', 'local_gb_used', 'free_disk_gb',
                               'disk_available_least', 'running_vms',
                               'current_workload')} == {
        'vcpus': 16, 'vcpus_used': 3, 'memory_mb': 32768, 'memory_mb_used': 1024,
        'free_ram_mb': 31744, 'local_gb': 1000, 'local_gb_used': 30, 'free_disk_gb': 970,
        'disk_available_least': 970, 'running_vms': 2, 'current_workload': 1}
    assert h1['cpu_info'] == {'arch': 'x86_64'}
    assert (h1['hypervisor_type'], h1['hypervisor_version'], h1['host_ip']) == \
        ('fake', 1000, '192.0.2.10')
    assert h1['service']['host'] == 'h1' and h1['service']['disabled_reason'] is None
    assert 'servers' not in h1


def test_cpu_info_is_a_json_string_before_2_28(admin, nodes):
    h1 = admin.get(f'{URL}/detail', version='2.27').json['hypervisors'][0]
    assert json.loads(h1['cpu_info']) == {'arch': 'x86_64'}


def test_statistics_sum_enabled_hosts(admin, nodes):
    stats = admin.get(f'{URL}/statistics').json['hypervisor_statistics']
    assert stats == {'count': 1, 'vcpus': 16, 'memory_mb': 32768, 'local_gb': 1000,
                     'vcpus_used': 3, 'memory_mb_used': 1024, 'local_gb_used': 30,
                     'free_ram_mb': 31744, 'free_disk_gb': 970, 'current_workload': 1,
                     'running_vms': 2, 'disk_available_least': 970}


def test_show_by_uuid_with_servers(admin, nodes):
    response = admin.get(f'{URL}/{nodes["h1"][1]}?with_servers=true')
    assert response.status_code == 200
    body = response.json['hypervisor']
    assert [s['name'] for s in body['servers']] == ['a', 'b']
    assert body['vcpus'] == 16


def test_show_id_errors_follow_the_version(admin, nodes):
    assert admin.get(f'{URL}/h1.example').status_code == 400
    assert admin.get(f'{URL}/{nodes["orphan"][1]}').status_code == 404
    assert admin.get(f'{URL}/h1.example', version='2.52').status_code == 404
    assert admin.get(f'{URL}/{nodes["h1"][0]}', version='2.52').status_code == 200
    assert admin.get(f'{URL}/{nodes["h1"][1]}?with_servers=maybe').status_code == 400


def test_uptime_is_not_implemented(admin, nodes):
    response = admin.get(f'{URL}/{nodes["h1"][1]}/uptime')
    assert response.status_code == 501
    assert admin.get(f'{URL}/{nodes["orphan"][1]}/uptime').status_code == 404


def test_pattern_and_with_servers_from_2_53(admin, nodes):
    listed = admin.get(f'{URL}?hypervisor_hostname_pattern=h2&with_servers=1').json
    assert [h['hypervisor_hostname'] for h in listed['hypervisors']] == ['h2.example']
    assert 'servers' not in listed['hypervisors'][0]          # h2 has none
    with_servers = admin.get(f'{URL}/detail?with_servers=True').json['hypervisors']
    assert len(with_servers[0]['servers']) == 2
    assert admin.get(f'{URL}?hypervisor_hostname_pattern=zz').status_code == 404
    assert admin.get(f'{URL}?hypervisor_hostname_pattern=h&limit=1').status_code == 400


def test_pages_with_limit_and_marker_from_2_33(admin, nodes):
    first = admin.get(f'{URL}?limit=1').json
    assert [h['id'] for h in first['hypervisors']] == [nodes['h1'][1]]
    (link,) = first['hypervisors_links']
    assert f'marker={nodes["h1"][1]}' in link['href']
    rest = admin.get(f'{URL}?limit=1&marker={nodes["h1"][1]}').json
    assert [h['id'] for h in rest['hypervisors']] == [nodes['h2'][1]]
    assert admin.get(f'{URL}?marker=nope').status_code == 400
    old = admin.get(f'{URL}?limit=1', version='2.32').json
    assert len(old['hypervisors']) == 2 and 'hypervisors_links' not in old


def test_search_and_servers_routes_before_2_53(admin, nodes):
    found = admin.get(f'{URL}/h1/search', version='2.52').json['hypervisors']
    assert [(h['id'], h['hypervisor_hostname']) for h in found] == [(nodes['h1'][0],
                                                                     'h1.example')]
    (h1,) = admin.get(f'{URL}/h1/servers', version='2.52').json['hypervisors']
    assert [s['name'] for s in h1['servers']] == ['a', 'b']
    assert admin.get(f'{URL}/zz/search', version='2.52').status_code == 404
    assert admin.get(f'{URL}/h1/search').status_code == 404          # gone at 2.53


@pytest.mark.parametrize('persona', ['member', 'reader', 'project_admin'])
def test_hypervisors_are_for_cloud_admins(api, nodes, persona):
    for path in ('', '/detail', '/statistics', f'/{nodes["h1"][1]}'):
        assert api.get(f'{URL}{path}', as_=persona, version='2.60').status_code == 403
