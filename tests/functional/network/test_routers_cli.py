"""The unmodified ``openstack`` CLI's router and floating IP commands against the network API.

The same flow as tests/compat/test_router_cli.py, on a NetworkServer of this
session instead of the all-in-one.
"""
import types

from tests import servers
from tests.functional.network.l3 import unique_cidr
from tests.functional.network.test_openstacksdk import _cli


def test_cli_router_and_floating_ip(identity, network, admin, make_account):
    account = make_account(roles=('member', 'reader'))
    admin_account = types.SimpleNamespace(
        name='admin', password=servers.ADMIN_PASSWORD,
        project_id=admin.get('/v3/projects?name=admin').json()['projects'][0]['id'])
    public = _cli(identity, admin_account, 'network', 'create', '--external', 'cli-public')
    _cli(identity, admin_account, 'subnet', 'create', '--network', public['id'],
         '--subnet-range', '172.24.10.0/24', '--no-dhcp', 'cli-public-subnet')
    net = _cli(identity, account, 'network', 'create', 'cli-private')
    subnet = _cli(identity, account, 'subnet', 'create', '--network', net['id'],
                  '--subnet-range', unique_cidr(), 'cli-private-subnet')
    router = _cli(identity, account, 'router', 'create', 'cli-router')
    assert router['status'] == 'ACTIVE'
    _cli(identity, account, 'router', 'set', '--external-gateway', public['id'], router['id'],
         output=False)
    _cli(identity, account, 'router', 'add', 'subnet', router['id'], subnet['id'],
         output=False)
    shown = _cli(identity, account, 'router', 'show', router['id'])
    assert shown['external_gateway_info']['network_id'] == public['id']
    assert [i['subnet_id'] for i in shown['interfaces_info']] == [subnet['id']]
    port = _cli(identity, account, 'port', 'create', '--network', net['id'], 'cli-port')
    fip = _cli(identity, account, 'floating', 'ip', 'create', public['id'])
    assert fip['floating_ip_address'].startswith('172.24.10.')
    _cli(identity, account, 'floating', 'ip', 'set', '--port', port['id'], fip['id'],
         output=False)
    associated = _cli(identity, account, 'floating', 'ip', 'show', fip['id'])
    assert associated['port_id'] == port['id'] and associated['router_id'] == router['id']
    _cli(identity, account, 'floating', 'ip', 'unset', '--port', fip['id'], output=False)
    assert _cli(identity, account, 'floating', 'ip', 'show', fip['id'])['port_id'] is None
    _cli(identity, account, 'floating', 'ip', 'delete', fip['id'], output=False)
    _cli(identity, account, 'router', 'remove', 'subnet', router['id'], subnet['id'],
         output=False)
    _cli(identity, account, 'router', 'unset', '--external-gateway', router['id'],
         output=False)
    assert _cli(identity, account, 'router', 'show', router['id'])[
        'external_gateway_info'] is None
    _cli(identity, account, 'router', 'delete', router['id'], output=False)
    assert _cli(identity, account, 'router', 'list') == []
