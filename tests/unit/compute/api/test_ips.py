"""/servers/{id}/ips: addresses by network, as Nova lists them."""
import json

import pytest

from tests.unit.compute.api import server_fakes as fakes
from tests.unit.compute.api.server_fakes import make_server

NETWORK_INFO = [
    {'port_id': 'p1', 'network_id': 'n1', 'network_name': 'private', 'mac': 'fa:16:3e:00:00:01',
     'ips': [{'addr': '10.0.0.5', 'version': 4, 'type': 'fixed'},
             {'addr': 'fd00::5', 'version': 6, 'type': 'fixed'}]},
    {'port_id': 'p2', 'network_id': 'n2', 'network_name': 'storage', 'mac': 'fa:16:3e:00:00:02',
     'ips': [{'addr': '10.1.0.7', 'version': 4, 'type': 'fixed'}]},
]


@pytest.fixture
def cloud(env):
    return fakes.prepare(env)


@pytest.fixture
def uuid(cloud):
    return make_server(cloud, network_info=json.dumps(NETWORK_INFO))


def test_lists_addresses_by_network(cloud, uuid):
    response = cloud.api.get(f'/v2.1/servers/{uuid}/ips', as_='reader')
    assert response.status_code == 200
    assert response.json == {'addresses': {
        'private': [{'version': 4, 'addr': '10.0.0.5'}, {'version': 6, 'addr': 'fd00::5'}],
        'storage': [{'version': 4, 'addr': '10.1.0.7'}]}}


def test_one_network(cloud, uuid):
    response = cloud.api.get(f'/v2.1/servers/{uuid}/ips/storage')
    assert response.json == {'storage': [{'version': 4, 'addr': '10.1.0.7'}]}
    response = cloud.api.get(f'/v2.1/servers/{uuid}/ips/public')
    assert response.status_code == 404
    assert response.json['itemNotFound']['message'] == \
        'Instance is not a member of specified network'


def test_a_server_without_ports_has_no_addresses(cloud):
    uuid = make_server(cloud)
    assert cloud.api.get(f'/v2.1/servers/{uuid}/ips').json == {'addresses': {}}


def test_other_projects_get_404(cloud, uuid):
    assert cloud.api.get(f'/v2.1/servers/{uuid}/ips', as_='other_member').status_code == 404
    assert cloud.api.get(f'/v2.1/servers/{uuid}/ips/private',
                         as_='other_reader').status_code == 404
