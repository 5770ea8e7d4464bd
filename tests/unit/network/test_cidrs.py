"""Subnet addressing rules (network.cidrs), without a database."""
import ipaddress

import pytest

from common import exceptions
from network import cidrs

ip = ipaddress.ip_address
net = ipaddress.ip_network


@pytest.mark.parametrize('cidr, version', [('10.0.0.0/24', 4), ('2001:db8::/64', 6),
                                           ('2001:0db8:0::/64', 6)])
def test_valid_cidrs(cidr, version):
    assert cidrs.parse_cidr(cidr, version) == net(cidr)


@pytest.mark.parametrize('cidr, version', [
    ('10.0.0.5/24', 4),        # host bits set: refused, as Neutron does
    ('10.0.0.0/33', 4), ('bogus', 4), ('10.0.0.0/24', 6), ('2001:db8::/64', 4),
    ('0.0.0.0/0', 4),
])
def test_invalid_cidrs_are_400(cidr, version):
    with pytest.raises(exceptions.BadRequest):
        cidrs.parse_cidr(cidr, version)


def test_host_bits_message_names_the_network():
    with pytest.raises(exceptions.BadRequest, match="should be '10.0.0.0/24'"):
        cidrs.parse_cidr('10.0.0.5/24', 4)


def test_gateway_defaults_to_first_host_and_null_means_none():
    assert cidrs.gateway(net('10.0.0.0/24'), None, False) == ip('10.0.0.1')
    assert cidrs.gateway(net('10.0.0.0/24'), None, True) is None
    assert cidrs.gateway(net('2001:db8::/64'), None, False) == ip('2001:db8::1')


@pytest.mark.parametrize('value', ['10.0.1.1', '10.0.0.0', '10.0.0.255', '2001:db8::1', 'x'])
def test_gateway_outside_or_reserved_is_400(value):
    with pytest.raises(exceptions.BadRequest):
        cidrs.gateway(net('10.0.0.0/24'), value, True)


def test_default_pools_leave_out_the_gateway():
    assert cidrs.default_pools(net('10.0.0.0/24'), ip('10.0.0.1')) == [
        (ip('10.0.0.2'), ip('10.0.0.254'))]
    assert cidrs.default_pools(net('10.0.0.0/24'), ip('10.0.0.100')) == [
        (ip('10.0.0.1'), ip('10.0.0.99')), (ip('10.0.0.101'), ip('10.0.0.254'))]
    assert cidrs.default_pools(net('10.0.0.0/24'), None) == [
        (ip('10.0.0.1'), ip('10.0.0.254'))]


def test_given_pools_are_sorted():
    pools = cidrs.pools(net('10.0.0.0/24'), ip('10.0.0.1'),
                        [{'start': '10.0.0.50', 'end': '10.0.0.60'},
                         {'start': '10.0.0.10', 'end': '10.0.0.20'}])
    assert pools == [(ip('10.0.0.10'), ip('10.0.0.20')), (ip('10.0.0.50'), ip('10.0.0.60'))]


def test_pool_outside_the_cidr_is_400():
    with pytest.raises(cidrs.OutOfBoundsAllocationPool):
        cidrs.pools(net('10.0.0.0/24'), None, [{'start': '10.0.0.10', 'end': '10.0.1.5'}])


def test_pool_on_the_broadcast_address_is_400():
    with pytest.raises(cidrs.OutOfBoundsAllocationPool):
        cidrs.pools(net('10.0.0.0/24'), None, [{'start': '10.0.0.10', 'end': '10.0.0.255'}])


def test_reversed_pool_is_400():
    with pytest.raises(exceptions.BadRequest):
        cidrs.pools(net('10.0.0.0/24'), None, [{'start': '10.0.0.20', 'end': '10.0.0.10'}])


def test_overlapping_pools_are_409():
    with pytest.raises(cidrs.OverlappingAllocationPools):
        cidrs.pools(net('10.0.0.0/24'), None, [{'start': '10.0.0.10', 'end': '10.0.0.20'},
                                               {'start': '10.0.0.20', 'end': '10.0.0.30'}])


def test_pool_holding_the_gateway_is_409():
    with pytest.raises(cidrs.GatewayConflictWithAllocationPools):
        cidrs.pools(net('10.0.0.0/24'), ip('10.0.0.15'),
                    [{'start': '10.0.0.10', 'end': '10.0.0.20'}])


def test_pool_of_the_other_ip_version_is_400():
    with pytest.raises(exceptions.BadRequest):
        cidrs.pools(net('10.0.0.0/24'), None, [{'start': '2001:db8::1', 'end': '2001:db8::5'}])


def test_pool_size():
    assert cidrs.pool_size(cidrs.default_pools(net('10.0.0.0/24'), ip('10.0.0.1'))) == 253


def test_overlapping_cidrs():
    assert cidrs.overlapping(net('10.0.0.0/25'), ['192.168.0.0/24', '10.0.0.0/24']) \
        == '10.0.0.0/24'
    assert cidrs.overlapping(net('10.0.1.0/24'), ['10.0.0.0/24']) is None


def test_nameservers_and_routes():
    assert cidrs.nameservers(['8.8.8.8', '2001:4860::8888']) == ['8.8.8.8', '2001:4860::8888']
    with pytest.raises(exceptions.BadRequest):
        cidrs.nameservers(['8.8.8.8', '8.8.8.8'])
    with pytest.raises(exceptions.BadRequest):
        cidrs.nameservers(['not-an-ip'])
    assert cidrs.host_routes([{'destination': '10.9.0.0/16', 'nexthop': '10.0.0.5'}]) == [
        {'destination': '10.9.0.0/16', 'nexthop': '10.0.0.5'}]
    with pytest.raises(exceptions.BadRequest):
        cidrs.host_routes([{'destination': '10.9.0.0/16', 'nexthop': '2001:db8::1'}])


@pytest.mark.parametrize('value', ['fd00::5%eth0', '10.0.0.5%eth0', 'bogus', '10.0.0.256'])
def test_addresses_with_zones_or_garbage_are_400(value):
    with pytest.raises(exceptions.BadRequest):
        cidrs.parse_address(value)


def test_cidr_with_a_zone_is_400():
    with pytest.raises(exceptions.BadRequest):
        cidrs.parse_cidr('fd00::%eth0/64', 6)


@pytest.mark.parametrize('gateway', ['fd00::', '10.0.0.0', '10.0.0.255'])
def test_gateway_on_the_network_or_broadcast_address_is_400(gateway):
    network = net('fd00::/64') if ':' in gateway else net('10.0.0.0/24')
    with pytest.raises(exceptions.BadRequest):
        cidrs.gateway(network, gateway, True)


def test_last_ipv6_address_may_be_the_gateway():
    assert cidrs.gateway(net('fd00::/64'), 'fd00::ffff:ffff:ffff:ffff', True) == \
        ip('fd00::ffff:ffff:ffff:ffff')


@pytest.mark.parametrize('cidr', ['10.0.0.0/31', '10.0.0.0/32', 'fd00::/127', '224.0.0.0/24',
                                  '127.0.0.0/24', '169.254.0.0/16', 'fe80::/64'])
def test_dhcp_cannot_serve(cidr):
    with pytest.raises(exceptions.BadRequest):
        cidrs.check_dhcp_cidr(net(cidr))


@pytest.mark.parametrize('cidr', ['10.0.0.0/30', '10.0.0.0/24', 'fd00::/126', 'fd00::/64'])
def test_dhcp_serves(cidr):
    cidrs.check_dhcp_cidr(net(cidr))


def test_auto_addresses_need_a_64():
    cidrs.check_auto_address_cidr(net('fd00::/64'))
    with pytest.raises(exceptions.BadRequest, match='EUI-64'):
        cidrs.check_auto_address_cidr(net('fd00::/120'))


@pytest.mark.parametrize('value', ['fd00::%eth0/64', 'fd00::1%eth0', '10.0.0.0/33', 'x'])
def test_prefixes_with_zones_or_garbage_are_400(value):
    with pytest.raises(exceptions.BadRequest):
        cidrs.parse_network(value, 'remote_ip_prefix')


def test_a_lone_address_is_a_host_prefix():
    assert cidrs.parse_network('10.0.0.5', 'allowed_address_pairs') == net('10.0.0.5/32')
