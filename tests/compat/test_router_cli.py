"""The unmodified ``openstack`` CLI's router and floating IP commands against the all-in-one.

``router create``, ``router set --external-gateway``, ``router add subnet``,
``floating ip create``, ``floating ip set --port``, ``floating ip unset
--port``, ``floating ip delete``, ``router remove subnet``, ``router unset
--external-gateway`` and ``router delete``, as project demo on an external
network the admin makes for the test.  Whatever a test creates is deleted at
the end through the API, also when it fails.
"""
import types

import pytest

from tests.compat.conftest import ADMIN_CLOUD, MEMBER_CLOUD
from tests.compat import test_network_cli
from tests.compat.test_network_cli import a_cidr, make_network

# The network API client and the clean-up of networks, subnets and ports.
network_api = test_network_cli.network_api
network_cleanup = test_network_cli.network_cleanup


@pytest.fixture
def l3_cleanup(network_api):
    """``l3_cleanup.fip(id)`` / ``l3_cleanup.router(id)``: at teardown, before the
    networks go, delete those floating IPs, then detach and delete those routers."""
    fips, routers = [], []
    yield types.SimpleNamespace(fip=fips.append, router=routers.append)
    failures = []
    for fip_id in fips:
        response = network_api.delete(f'/floatingips/{fip_id}')
        if response.status_code not in (204, 404):
            failures.append(f'DELETE floating IP {fip_id}: {response.status_code}')
    for router_id in reversed(routers):
        interfaces = network_api.get('/ports', params={
            'device_id': router_id, 'device_owner': 'network:router_interface'})
        for port in interfaces.json().get('ports', []):
            network_api.put(f'/routers/{router_id}/remove_router_interface',
                            json={'port_id': port['id']})
        response = network_api.delete(f'/routers/{router_id}')
        if response.status_code not in (204, 404):
            failures.append(f'DELETE router {router_id}: {response.status_code} '
                            f'{response.text[:200]}')
    assert not failures, 'router clean-up failed: ' + '; '.join(failures)


def test_router_and_floating_ip_lifecycle(cli, network_cleanup, l3_cleanup, unique_name):
    public, _ = make_network(cli, network_cleanup, unique_name('public'), '--external',
                             cloud=ADMIN_CLOUD, cidr='172.31.' + a_cidr().split('.', 2)[2])
    private, subnet = make_network(cli, network_cleanup, unique_name('private'))
    router = cli.json('router', 'create', unique_name('router'), cloud=MEMBER_CLOUD)
    l3_cleanup.router(router['id'])
    assert router['status'] == 'ACTIVE'
    cli.run('router', 'set', '--external-gateway', public['id'], router['id'],
            cloud=MEMBER_CLOUD)
    cli.run('router', 'add', 'subnet', router['id'], subnet['id'], cloud=MEMBER_CLOUD)
    shown = cli.json('router', 'show', router['id'], cloud=MEMBER_CLOUD)
    assert shown['external_gateway_info']['network_id'] == public['id']
    assert [i['subnet_id'] for i in shown['interfaces_info']] == [subnet['id']]
    assert [i['ip_address'] for i in shown['interfaces_info']] == [subnet['gateway_ip']]

    port = cli.json('port', 'create', '--network', private['id'], unique_name('port'),
                    cloud=MEMBER_CLOUD)
    network_cleanup(f'/ports/{port["id"]}')
    fip = cli.json('floating', 'ip', 'create', public['id'], cloud=MEMBER_CLOUD)
    l3_cleanup.fip(fip['id'])
    assert fip['status'] == 'DOWN' and fip['port_id'] is None
    cli.run('floating', 'ip', 'set', '--port', port['id'], fip['id'], cloud=MEMBER_CLOUD)
    associated = cli.json('floating', 'ip', 'show', fip['id'], cloud=MEMBER_CLOUD)
    assert associated['port_id'] == port['id'] and associated['router_id'] == router['id']
    assert associated['fixed_ip_address'] == port['fixed_ips'][0]['ip_address']
    assert associated['status'] == 'ACTIVE'
    # The interface carries the floating IP's traffic: it cannot go.
    refused = cli.run('router', 'remove', 'subnet', router['id'], subnet['id'],
                      cloud=MEMBER_CLOUD, check=False)
    assert refused.returncode != 0
    cli.run('floating', 'ip', 'unset', '--port', fip['id'], cloud=MEMBER_CLOUD)
    assert cli.json('floating', 'ip', 'show', fip['id'], cloud=MEMBER_CLOUD)['port_id'] is None
    cli.run('floating', 'ip', 'delete', fip['id'], cloud=MEMBER_CLOUD)
    listed = cli.json('floating', 'ip', 'list', cloud=MEMBER_CLOUD)
    assert fip['id'] not in {f['ID'] for f in listed}

    cli.run('router', 'remove', 'subnet', router['id'], subnet['id'], cloud=MEMBER_CLOUD)
    cli.run('router', 'unset', '--external-gateway', router['id'], cloud=MEMBER_CLOUD)
    assert cli.json('router', 'show', router['id'], cloud=MEMBER_CLOUD)[
        'external_gateway_info'] is None
    cli.run('router', 'delete', router['id'], cloud=MEMBER_CLOUD)
    listed = cli.json('router', 'list', cloud=MEMBER_CLOUD)
    assert router['id'] not in {r['ID'] for r in listed}


def test_gateway_on_a_private_network_is_refused(cli, network_cleanup, l3_cleanup,
                                                 unique_name):
    private, _ = make_network(cli, network_cleanup, unique_name('private'))
    router = cli.json('router', 'create', unique_name('router'), cloud=MEMBER_CLOUD)
    l3_cleanup.router(router['id'])
    refused = cli.run('router', 'set', '--external-gateway', private['id'], router['id'],
                      cloud=MEMBER_CLOUD, check=False)
    assert refused.returncode != 0
