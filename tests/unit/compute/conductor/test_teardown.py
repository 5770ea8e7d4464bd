"""Giving back a server's ports: a failure is answered and logged with the server's id."""
import logging
import types

from compute.conductor import teardown
from tests.unit.compute.conductor.harness import FakeNetwork

SERVER = '0d7c4c8e-3f0e-4a59-8d0e-6b1f8a2c9e41'
PORTS = [{'id': 'port-1', 'network_id': 'net-1', 'created_by_compute': True}]


def test_ports_the_network_service_releases():
    network = FakeNetwork()
    network.ports['port-1'] = SERVER
    deps = types.SimpleNamespace(network=network)
    assert teardown.deallocate_ports(deps, None, SERVER, PORTS) is None
    assert network.ports == {}


def test_a_failure_is_answered_and_logged_with_the_server(caplog):
    network = FakeNetwork()
    network.fail_deallocate = True
    deps = types.SimpleNamespace(network=network)
    with caplog.at_level(logging.ERROR, logger=teardown.__name__):
        error = teardown.deallocate_ports(deps, None, SERVER, PORTS)
    assert error.startswith('Failed to deallocate the network ports of the server')
    assert f"Could not release ports ['port-1'] of server {SERVER}" in caplog.text
