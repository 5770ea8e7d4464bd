"""The network client against a fake Neutron port API on the loopback interface."""
import types

import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint

from compute import conf as compute_conf
from compute import network
from stratus import Connection
from tests.unit import make_conf
from tests.unit.compute.fake_neutron import FakeNeutron

CTX = types.SimpleNamespace(project_id='p1')


@pytest.fixture
def neutron():
    with FakeNeutron() as server:
        yield server


@pytest.fixture
def client(neutron, tmp_path):
    conf = make_conf(tmp_path, register=compute_conf.register_opts)
    session = ks_session.Session()

    def connect(conf_, ctx):
        assert ctx is CTX
        return Connection(session=session, auth=token_endpoint.Token(neutron.url, 'user-token'))
    yield network.NetworkClient(conf, connect=connect)
    session.session.close()


def allocate(client, requested, security_groups=(), **kw):
    return client.allocate_ports(CTX, 'vm1', requested, list(security_groups), **kw)


def test_none_makes_no_port_and_no_call(client, neutron):
    assert allocate(client, 'none') == []
    assert neutron.requests == []


def test_ports_on_requested_networks(client, neutron):
    net1, net2 = neutron.add_network('one'), neutron.add_network('two', cidr='10.0.1.0/24')
    ports = allocate(client, [{'uuid': net1['id']},
                              {'uuid': net2['id'], 'fixed_ip': '10.0.1.50'}])
    assert [p['network_id'] for p in ports] == [net1['id'], net2['id']]
    assert all(p['created_by_compute'] for p in ports)
    assert ports[1]['fixed_ips'][0]['ip_address'] == '10.0.1.50'
    for port in ports:
        stored = neutron.ports[port['id']]
        assert (stored['device_id'], stored['device_owner']) == ('vm1', 'compute:nova')
    assert {token for *_, token in neutron.requests} == {'user-token'}
    [create, _] = [body['port'] for _m, _p, body, _t in neutron.calls('POST')]
    assert 'security_groups' not in create and 'binding:host_id' not in create


def test_zone_and_host(client, neutron):
    net = neutron.add_network('one')
    [port] = allocate(client, [{'uuid': net['id']}], zone='az1', host='compute-7')
    assert neutron.ports[port['id']]['device_owner'] == 'compute:az1'
    assert neutron.ports[port['id']]['binding:host_id'] == 'compute-7'


class TestAutomaticNetwork:
    def test_auto_uses_the_projects_only_network(self, client, neutron):
        net = neutron.add_network('mine')
        neutron.add_network('theirs', project_id='p2')
        neutron.add_network('down', admin_state_up=False)
        [port] = allocate(client, 'auto')
        assert port['network_id'] == net['id']

    def test_auto_uses_a_shared_network(self, client, neutron):
        shared = neutron.add_network('public', project_id='admin', shared=True)
        [port] = allocate(client, 'auto')
        assert port['network_id'] == shared['id']

    @pytest.mark.parametrize('requested', ['auto', []])
    def test_two_candidates_are_ambiguous(self, client, neutron, requested):
        neutron.add_network('mine')
        neutron.add_network('public', project_id='admin', shared=True)
        with pytest.raises(network.NetworkAmbiguous) as raised:
            allocate(client, requested)
        assert raised.value.code == 409
        assert neutron.ports == {}

    def test_auto_without_any_network(self, client, neutron):
        neutron.add_network('theirs', project_id='p2')
        with pytest.raises(network.UnableToAutoAllocateNetwork, match='project p1'):
            allocate(client, 'auto')

    def test_empty_list_without_any_network_is_no_port(self, client, neutron):
        assert allocate(client, []) == []


class TestPreexistingPorts:
    def test_bound_and_later_unbound_not_deleted(self, client, neutron):
        net = neutron.add_network('one')
        mine = neutron.add_port(net)
        [port] = allocate(client, [{'port': mine['id']}], host='compute-7')
        assert port['id'] == mine['id'] and port['created_by_compute'] is False
        assert neutron.ports[mine['id']]['device_id'] == 'vm1'
        assert neutron.ports[mine['id']]['binding:host_id'] == 'compute-7'
        client.deallocate_ports(CTX, [port])
        assert neutron.ports[mine['id']]['device_id'] == ''
        assert neutron.ports[mine['id']]['device_owner'] == ''
        assert neutron.ports[mine['id']]['binding:host_id'] is None

    def test_port_of_another_server(self, client, neutron):
        used = neutron.add_port(neutron.add_network('one'), device_id='other-vm')
        with pytest.raises(network.PortInUse) as raised:
            allocate(client, [{'port': used['id']}])
        assert raised.value.message == f"Port {used['id']} is still in use."
        assert neutron.ports[used['id']]['device_id'] == 'other-vm'

    def test_missing_port(self, client, neutron):
        with pytest.raises(network.PortNotFound, match='could not be found'):
            allocate(client, [{'port': 'nope'}])


class TestSecurityGroups:
    def test_names_and_ids_resolve_to_ids(self, client, neutron):
        web = neutron.add_security_group('web')
        ssh = neutron.add_security_group('ssh')
        neutron.add_security_group('web', project_id='p2')  # another project's
        net = neutron.add_network('one')
        [port] = allocate(client, [{'uuid': net['id']}], ['web', {'name': ssh['id']}])
        assert neutron.ports[port['id']]['security_groups'] == [web['id'], ssh['id']]

    def test_unknown_group(self, client, neutron):
        net = neutron.add_network('one')
        with pytest.raises(network.SecurityGroupNotFound, match='Security group nope not'):
            allocate(client, [{'uuid': net['id']}], ['nope'])
        assert neutron.ports == {}

    def test_ambiguous_name(self, client, neutron):
        neutron.add_security_group('web')
        neutron.add_security_group('web')
        net = neutron.add_network('one')
        with pytest.raises(network.NoUniqueMatch):
            allocate(client, [{'uuid': net['id']}], ['web'])

    def test_not_looked_up_for_preexisting_ports_only(self, client, neutron):
        port = neutron.add_port(neutron.add_network('one'))
        allocate(client, [{'port': port['id']}], ['nope'])
        assert not [r for r in neutron.requests if 'security-groups' in r[1]]


class TestFailureLeavesNothing:
    def test_unknown_network_rolls_back_earlier_ports(self, client, neutron):
        net = neutron.add_network('one')
        theirs = neutron.add_port(net)
        with pytest.raises(network.NetworkNotFound, match='Network nope could not be found'):
            allocate(client, [{'uuid': net['id']}, {'port': theirs['id']}, {'uuid': 'nope'}])
        assert list(neutron.ports) == [theirs['id']]
        assert neutron.ports[theirs['id']]['device_id'] == ''

    def test_ip_in_use(self, client, neutron):
        net = neutron.add_network('one')
        allocate(client, [{'uuid': net['id'], 'fixed_ip': '10.0.0.9'}])
        with pytest.raises(network.NetworkServiceError, match='already allocated'):
            allocate(client, [{'uuid': net['id']}, {'uuid': net['id'], 'fixed_ip': '10.0.0.9'}])
        assert len(neutron.ports) == 1

    def test_server_error(self, client, neutron):
        net = neutron.add_network('one')
        neutron.fail_port_create_on.add(net['id'])
        with pytest.raises(network.NetworkServiceError) as raised:
            allocate(client, [{'uuid': net['id']}])
        assert 'internal server error' in raised.value.message
        assert raised.value.code == 503


def test_deallocate_deletes_compute_ports_and_tolerates_gone_ones(client, neutron):
    net = neutron.add_network('one')
    ports = allocate(client, [{'uuid': net['id']}, {'uuid': net['id']}])
    del neutron.ports[ports[0]['id']]  # deleted by someone else meanwhile
    rows = [{'port_id': p['id'], 'created_by_compute': True} for p in ports]
    client.deallocate_ports(CTX, rows)
    assert neutron.ports == {}
    client.deallocate_ports(CTX, rows)  # again: nothing left to do, no error
    client.deallocate_ports(CTX, [])


def test_list_networks(client, neutron):
    one, two = neutron.add_network('one'), neutron.add_network('two')
    neutron.add_network('three')
    found = client.list_networks(CTX, [one['id'], two['id'], one['id']])
    assert sorted(n['name'] for n in found) == ['one', 'two']
    assert client.list_networks(CTX, []) == []


def test_network_info(client, neutron):
    net = neutron.add_network('private')
    [port] = allocate(client, [{'uuid': net['id'], 'fixed_ip': '10.0.0.7'}])
    port['fixed_ips'].append({'subnet_id': 's6', 'ip_address': 'fd00::7'})
    info = network.network_info([port], client.list_networks(CTX, [net['id']]))
    assert info == [{'port_id': port['id'], 'network_id': net['id'], 'network_name': 'private',
                     'mac': port['mac_address'],
                     'ips': [{'addr': '10.0.0.7', 'version': 4, 'type': 'fixed'},
                             {'addr': 'fd00::7', 'version': 6, 'type': 'fixed'}]}]


def test_unreachable_network_service(tmp_path):
    conf = make_conf(tmp_path, register=compute_conf.register_opts)
    with FakeNeutron() as stopped:
        url = stopped.url  # nothing listens there once the block ends

    session = ks_session.Session()

    def connect(conf_, ctx):
        return Connection(session=session, auth=token_endpoint.Token(url, 't'))
    client = network.NetworkClient(conf, connect=connect)
    with pytest.raises(network.NetworkServiceError, match='The network service failed'):
        client.allocate_ports(CTX, 'vm1', 'auto', [])
    with pytest.raises(network.NetworkServiceError):
        client.list_networks(CTX, ['n1'])
    session.session.close()
