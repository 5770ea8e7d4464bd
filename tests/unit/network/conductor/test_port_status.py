"""Port status from the agents' reports, and ``network-vif-plugged`` for compute."""
import logging
from unittest import mock

from network.conductor import compute_events
from network.conductor import port_status
from tests.unit.network.conductor.helpers import instance_port, show


def _status(env, port_id):
    port = show(env.api, 'port', port_id)
    return port['status'], port['revision_number']


def test_ports_are_down_until_their_hosts_agent_wires_them(env):
    net = env.api.network()
    env.api.subnet(net['id'], cidr='10.0.0.0/24')
    port = instance_port(env.api, net['id'], 'host-1')
    assert port['status'] == 'DOWN'
    revision = port['revision_number']

    plugged = port_status.update(env.db, 'host-1', active=[port['id']], down=[])
    assert plugged == [(port['id'], 'server-1')]
    assert _status(env, port['id']) == ('ACTIVE', revision + 1)
    # Reported again: no change, no event.
    assert port_status.update(env.db, 'host-1', active=[port['id']], down=[]) == []
    assert _status(env, port['id']) == ('ACTIVE', revision + 1)

    assert port_status.update(env.db, 'host-1', active=[], down=[port['id']]) == []
    assert _status(env, port['id']) == ('DOWN', revision + 2)


def test_an_agent_cannot_change_ports_bound_elsewhere(env):
    net = env.api.network()
    env.api.subnet(net['id'], cidr='10.0.0.0/24')
    port = instance_port(env.api, net['id'], 'host-1')
    assert port_status.update(env.db, 'host-2', active=[port['id']], down=[]) == []
    assert _status(env, port['id'])[0] == 'DOWN'
    port_status.update(env.db, 'host-1', active=[port['id']], down=[])
    port_status.update(env.db, 'host-2', active=[], down=[port['id']])
    assert _status(env, port['id'])[0] == 'ACTIVE'


def test_rebinding_or_admin_down_makes_a_port_down(env):
    net = env.api.network()
    env.api.subnet(net['id'], cidr='10.0.0.0/24')
    port = instance_port(env.api, net['id'], 'host-1')
    port_status.update(env.db, 'host-1', active=[port['id']], down=[])
    moved = env.api.put(f"/v2.0/ports/{port['id']}", as_='cloud_admin', json={
        'port': {'binding:host_id': 'host-2'}}).get_json()['port']
    assert moved['status'] == 'DOWN'
    port_status.update(env.db, 'host-2', active=[port['id']], down=[])
    renamed = env.api.put(f"/v2.0/ports/{port['id']}", json={'port': {'name': 'x'}})
    assert renamed.get_json()['port']['status'] == 'ACTIVE'  # other updates keep it
    down = env.api.put(f"/v2.0/ports/{port['id']}", json={'port': {'admin_state_up': False}})
    assert down.get_json()['port']['status'] == 'DOWN'
    # An admin-down port is not ACTIVE, whatever the agent says.
    assert port_status.update(env.db, 'host-2', active=[port['id']], down=[]) == []
    assert _status(env, port['id'])[0] == 'DOWN'


def test_only_instance_ports_are_announced_to_compute(env):
    net = env.api.network()
    env.api.subnet(net['id'], cidr='10.0.0.0/24')
    other = env.api.port(net['id'], device_owner='baremetal:none', device_id='x')
    env.api.put(f"/v2.0/ports/{other['id']}", as_='cloud_admin',
                json={'port': {'binding:host_id': 'host-1'}})
    assert port_status.update(env.db, 'host-1', active=[other['id']], down=[]) == []
    assert _status(env, other['id'])[0] == 'ACTIVE'


def test_vif_plugged_events_go_to_compute_in_one_request(caplog):
    connect = mock.Mock()
    connect.return_value.compute.create_server_external_events.return_value = [
        {'name': 'network-vif-plugged', 'server_uuid': 'server-1', 'tag': 'port-1',
         'status': 'completed', 'code': 200},
        {'name': 'network-vif-plugged', 'server_uuid': 'server-2', 'tag': 'port-2',
         'status': 'completed', 'code': 404}]
    events = compute_events.ComputeEvents(conf=object(), connect=connect)
    with caplog.at_level(logging.INFO, logger='common.server_events'):
        events.vif_plugged([('port-1', 'server-1'), ('port-2', 'server-2')]).result(timeout=10)
    events.shutdown()
    assert [(r.levelname, 'port-2' in r.getMessage()) for r in caplog.records] == [
        ('INFO', False), ('WARNING', True)]
    connect.return_value.compute.create_server_external_events.assert_called_once_with([
        {'name': 'network-vif-plugged', 'server_uuid': 'server-1', 'tag': 'port-1',
         'status': 'completed'},
        {'name': 'network-vif-plugged', 'server_uuid': 'server-2', 'tag': 'port-2',
         'status': 'completed'}])


def test_compute_being_down_is_retried_then_logged_not_raised(caplog):
    connect = mock.Mock()
    connect.return_value.compute.create_server_external_events.side_effect = \
        ConnectionError('compute is down')
    events = compute_events.ComputeEvents(conf=object(), connect=connect, delays=(0, 0))
    with caplog.at_level(logging.WARNING, logger='common.server_events'):
        events.vif_plugged([('port-1', 'server-1')]).result(timeout=10)
    events.shutdown()
    assert any('compute is down' in r.getMessage() and 'port-1' in r.getMessage()
               for r in caplog.records)
    assert connect.return_value.compute.create_server_external_events.call_count == 3


def test_compute_back_within_the_retries_gets_the_event():
    connect = mock.Mock()
    send = connect.return_value.compute.create_server_external_events
    send.side_effect = [ConnectionError('compute is down'), [{'code': 200, 'tag': 'port-1'}]]
    events = compute_events.ComputeEvents(conf=object(), connect=connect, delays=(0, 0))
    events.vif_plugged([('port-1', 'server-1')]).result(timeout=10)
    events.shutdown()
    assert send.call_count == 2
