"""What the DHCP part tells dnsmasq: its files and its command line."""
import os

import pytest
from oslo_config import cfg

from network.agent import dhcp
from network.agent import opts

NETWORK_ID = '5b1c0a4e-0000-4000-8000-000000000001'
PORT_ID = '9f3e2d1c-aaaa-4bbb-8ccc-000000000002'


def _subnet(subnet_id, cidr, gateway_ip, version=4, dns=(), routes=()):
    return {'id': subnet_id, 'cidr': cidr, 'ip_version': version, 'gateway_ip': gateway_ip,
            'enable_dhcp': True, 'dns_nameservers': list(dns),
            'host_routes': [{'destination': d, 'nexthop': n} for d, n in routes],
            'allocation_pools': []}


def _host(mac, subnet_id, ip, hostname):
    return {'port_id': f'port-{hostname}', 'mac_address': mac, 'ip_address': ip,
            'subnet_id': subnet_id, 'hostname': hostname}


@pytest.fixture
def network():
    return {'network_id': NETWORK_ID, 'namespace': f'qdhcp-{NETWORK_ID}',
            'bridge': 'brq5b1c0a4e-00', 'mtu': 1450,
            'port': {'id': PORT_ID, 'mac_address': 'fa:16:3e:00:00:02',
                     'fixed_ips': [{'subnet_id': 'sub-a', 'ip_address': '10.0.0.2'}]},
            'subnets': [_subnet('sub-a', '10.0.0.0/24', '10.0.0.1')],
            'hosts': [_host('fa:16:3e:00:00:06', 'sub-a', '10.0.0.6', 'host-10-0-0-6'),
                      _host('fa:16:3e:00:00:05', 'sub-a', '10.0.0.5', 'host-10-0-0-5')]}


def _files():
    return dhcp.Files('/var/lib/stratus/network/dhcp', NETWORK_ID)


def test_device_and_namespace_names():
    assert dhcp.namespace_name(NETWORK_ID) == f'qdhcp-{NETWORK_ID}'
    assert dhcp.host_end(PORT_ID) == 'tap9f3e2d1c-aa'
    assert dhcp.ns_end(PORT_ID) == 'ns-9f3e2d1c-aa'


def test_hosts_files_hold_every_port_sorted(network):
    assert dhcp.hosts_file(network) == (
        'fa:16:3e:00:00:05,host-10-0-0-5.openstacklocal,10.0.0.5\n'
        'fa:16:3e:00:00:06,host-10-0-0-6.openstacklocal,10.0.0.6\n')
    assert dhcp.addn_hosts_file(network) == (
        '10.0.0.5\thost-10-0-0-5.openstacklocal host-10-0-0-5\n'
        '10.0.0.6\thost-10-0-0-6.openstacklocal host-10-0-0-6\n')


def test_hosts_on_subnets_not_served_are_left_out(network):
    network['hosts'].append(_host('fa:16:3e:00:00:07', 'no-dhcp', '10.1.0.7', 'host-10-1-0-7'))
    assert '10.1.0.7' not in dhcp.hosts_file(network)
    assert '10.1.0.7' not in dhcp.addn_hosts_file(network)


def test_options_default_to_the_gateway_and_the_dhcp_port_for_dns(network):
    assert dhcp.opts_file(network) == ('tag:subnet-sub-a,option:router,10.0.0.1\n'
                                       'tag:subnet-sub-a,option:dns-server,10.0.0.2\n')


def test_options_without_gateway_send_no_router_and_use_the_subnet_dns(network):
    network['subnets'] = [_subnet('sub-a', '10.0.0.0/24', None, dns=['192.0.2.53', '192.0.2.54'])]
    assert dhcp.opts_file(network) == (
        'tag:subnet-sub-a,option:router\n'
        'tag:subnet-sub-a,option:dns-server,192.0.2.53,192.0.2.54\n')


def test_host_routes_become_classless_routes_with_the_default_route(network):
    network['subnets'] = [_subnet('sub-a', '10.0.0.0/24', '10.0.0.1',
                                  routes=[('192.168.7.0/24', '10.0.0.254')])]
    lines = dhcp.opts_file(network).splitlines()
    routes = '192.168.7.0/24,10.0.0.254,0.0.0.0/0,10.0.0.1'
    assert f'tag:subnet-sub-a,option:classless-static-route,{routes}' in lines
    assert f'tag:subnet-sub-a,249,{routes}' in lines
    assert 'tag:subnet-sub-a,option:router,10.0.0.1' in lines


def test_other_subnets_of_the_network_are_on_link(network):
    network['subnets'].append(_subnet('sub-b', '10.0.1.0/24', None))
    lines = dhcp.opts_file(network).splitlines()
    assert ('tag:subnet-sub-a,option:classless-static-route,'
            '10.0.1.0/24,0.0.0.0,0.0.0.0/0,10.0.0.1') in lines
    assert 'tag:subnet-sub-b,option:classless-static-route,10.0.0.0/24,0.0.0.0' in lines
    # sub-b has no DHCP port address here, so no DNS server either.
    assert 'tag:subnet-sub-b,option:dns-server' in lines


def test_ipv6_subnets_get_dhcpv6_options_and_bracketed_addresses(network):
    network['subnets'].append(_subnet('sub-6', 'fd00:1::/64', 'fd00:1::1', version=6))
    network['port']['fixed_ips'].append({'subnet_id': 'sub-6', 'ip_address': 'fd00:1::2'})
    network['hosts'] = [_host('fa:16:3e:00:00:05', 'sub-6', 'fd00:1::5', 'host-fd00-1--5')]
    assert dhcp.hosts_file(network) == (
        'fa:16:3e:00:00:05,host-fd00-1--5.openstacklocal,[fd00:1::5]\n')
    lines = dhcp.opts_file(network).splitlines()
    assert 'tag:subnet-sub-6,option6:dns-server,[fd00:1::2]' in lines
    assert 'tag:subnet-sub-6,option6:domain-search,openstacklocal' in lines
    assert dhcp.interface_addresses(network) == ['10.0.0.2/24', 'fd00:1::2/64']
    assert ('--dhcp-range=set:subnet-sub-6,fd00:1::,static,64,86400s'
            in dhcp.command(network, _files(), 86400))


def test_interface_addresses_take_the_prefix_of_served_subnets_only(network):
    network['port']['fixed_ips'].append({'subnet_id': 'no-dhcp', 'ip_address': '10.9.0.2'})
    assert dhcp.interface_addresses(network) == ['10.0.0.2/24']


def test_command_line(network):
    files = _files()
    argv = dhcp.command(network, files, 86400)
    assert argv[0] == 'dnsmasq'
    for expected in ['--conf-file=/dev/null', '--no-hosts', '--no-resolv', '--bind-interfaces',
                     f'--pid-file={files.pid}', f'--dhcp-hostsfile={files.hosts}',
                     f'--addn-hosts={files.addn_hosts}', f'--dhcp-optsfile={files.opts}',
                     f'--dhcp-leasefile={files.leases}', '--interface=ns-9f3e2d1c-aa',
                     '--except-interface=lo', '--domain=openstacklocal',
                     '--dhcp-range=set:subnet-sub-a,10.0.0.0,static,255.255.255.0,86400s',
                     '--dhcp-option-force=option:mtu,1450', '--dhcp-lease-max=256']:
        assert expected in argv
    assert files.pid == f'/var/lib/stratus/network/dhcp/{NETWORK_ID}/pid'


def test_command_line_does_not_change_with_the_ports(network):
    before = dhcp.command(network, _files(), 86400)
    network['hosts'].append(_host('fa:16:3e:00:00:07', 'sub-a', '10.0.0.7', 'host-10-0-0-7'))
    assert dhcp.command(network, _files(), 86400) == before


def test_infinite_lease_and_ipv6_only_network_has_no_mtu_option(network):
    network['subnets'] = [_subnet('sub-6', 'fd00:1::/64', None, version=6)]
    argv = dhcp.command(network, _files(), -1)
    assert '--dhcp-range=set:subnet-sub-6,fd00:1::,static,64,infinite' in argv
    assert not any(arg.startswith('--dhcp-option-force') for arg in argv)


def test_state_directory_is_open_to_dnsmasq_after_it_drops_privileges(tmp_path):
    state_dir = tmp_path / 'network'
    state_dir.mkdir(mode=0o700)
    conf = cfg.ConfigOpts()
    opts.register_opts(conf)
    conf([], default_config_files=[])
    dhcp.Dhcp(conf, str(state_dir))
    assert os.stat(state_dir).st_mode & 0o777 == 0o711
    assert os.stat(state_dir / 'dhcp').st_mode & 0o777 == 0o755
