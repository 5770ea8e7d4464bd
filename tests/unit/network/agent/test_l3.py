"""The routers' generated iptables rules, addresses and routes (no kernel involved)."""
import ipaddress

from network.agent import l3

ROUTER_ID = 'b6f3c2a4-0000-4000-8000-000000000001'
GATEWAY_PORT = 'c0ffee00-1111-4000-8000-000000000002'
PORT_A = 'aaaaaaaa-2222-4000-8000-000000000003'
PORT_B = 'bbbbbbbb-3333-4000-8000-000000000004'
QG = 'qg-c0ffee00-11'


def make_router(gateway=True, enable_snat=True, floating_ips=(), routes=(), gateway_ips=None):
    router = {
        'id': ROUTER_ID, 'project_id': 'p', 'admin_state_up': True,
        'namespace': l3.namespace_name(ROUTER_ID), 'enable_snat': enable_snat,
        'gateway': None,
        'interfaces': [
            {'port_id': PORT_A, 'mac_address': 'fa:16:3e:00:00:0a', 'network_id': 'na',
             'bridge': 'brqna', 'mtu': 1450,
             'fixed_ips': [{'subnet_id': 'sa', 'ip_address': '10.0.0.1', 'prefixlen': 24,
                            'cidr': '10.0.0.0/24'},
                           {'subnet_id': 'sa6', 'ip_address': 'fd00::1', 'prefixlen': 64,
                            'cidr': 'fd00::/64'}]},
            {'port_id': PORT_B, 'mac_address': 'fa:16:3e:00:00:0b', 'network_id': 'nb',
             'bridge': 'brqnb', 'mtu': 1450,
             'fixed_ips': [{'subnet_id': 'sb', 'ip_address': '10.0.1.1', 'prefixlen': 24,
                            'cidr': '10.0.1.0/24'}]},
        ],
        'routes': list(routes), 'floating_ips': list(floating_ips), 'instances': {},
    }
    if gateway:
        router['gateway'] = {
            'port_id': GATEWAY_PORT, 'mac_address': 'fa:16:3e:00:00:01', 'network_id': 'ext',
            'bridge': 'br-ex', 'mtu': 1500,
            'fixed_ips': [{'subnet_id': 'se', 'ip_address': '172.24.4.10', 'prefixlen': 24}],
            'gateway_ips': ['172.24.4.1'] if gateway_ips is None else gateway_ips}
    return router


def fip(floating, fixed, fip_id='f1'):
    return {'id': fip_id, 'floating_ip_address': floating, 'fixed_ip_address': fixed,
            'port_id': PORT_A}


FILTER = """*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i qr-+ -p tcp -m tcp --dport 9697 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 9697 -j DROP
-A FORWARD -i qg-+ -o qr-+ -m conntrack ! --ctstate DNAT,ESTABLISHED,RELATED -j DROP
COMMIT
"""

NAT_HEAD = """*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 169.254.169.254/32 -i qr-+ -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9697
"""


def rule_lines(router):
    return [line for line in l3.iptables_rules(router).splitlines() if line.startswith('-A')]


def test_device_and_namespace_names_fit_linux_limits():
    assert l3.namespace_name(ROUTER_ID) == f'qrouter-{ROUTER_ID}'
    assert l3.internal_device(PORT_A) == 'qr-aaaaaaaa-22'
    assert l3.gateway_device(GATEWAY_PORT) == QG
    assert len(l3.internal_device(PORT_A)) <= 15 and len(l3.gateway_device(PORT_A)) <= 15
    assert l3.METADATA_PROXY_PORT == 9697


def test_router_without_gateway_only_redirects_metadata():
    assert l3.iptables_rules(make_router(gateway=False)) == NAT_HEAD + 'COMMIT\n' + FILTER


def test_gateway_with_floating_ips_full_text():
    router = make_router(floating_ips=[fip('172.24.4.20', '10.0.1.5', 'f2'),
                                       fip('172.24.4.3', '10.0.0.5')])
    assert l3.iptables_rules(router) == NAT_HEAD + f"""\
-A PREROUTING -d 172.24.4.3/32 -j DNAT --to-destination 10.0.0.5
-A PREROUTING -d 172.24.4.20/32 -j DNAT --to-destination 10.0.1.5
-A OUTPUT -d 172.24.4.3/32 -j DNAT --to-destination 10.0.0.5
-A OUTPUT -d 172.24.4.20/32 -j DNAT --to-destination 10.0.1.5
-A POSTROUTING ! -o {QG} -m conntrack ! --ctstate DNAT -j ACCEPT
-A POSTROUTING -s 10.0.0.5/32 -j SNAT --to-source 172.24.4.3
-A POSTROUTING -s 10.0.1.5/32 -j SNAT --to-source 172.24.4.20
-A POSTROUTING -o {QG} -j SNAT --to-source 172.24.4.10
-A POSTROUTING -s 10.0.0.0/24 -m conntrack --ctstate DNAT -j SNAT --to-source 172.24.4.10
-A POSTROUTING -s 10.0.1.0/24 -m conntrack --ctstate DNAT -j SNAT --to-source 172.24.4.10
COMMIT
""" + FILTER


def test_internal_traffic_is_accepted_before_any_snat():
    postrouting = [r for r in rule_lines(make_router(floating_ips=[fip('172.24.4.3', '10.0.0.5')]))
                   if r.startswith('-A POSTROUTING')]
    assert postrouting[0] == f'-A POSTROUTING ! -o {QG} -m conntrack ! --ctstate DNAT -j ACCEPT'
    floating = postrouting.index('-A POSTROUTING -s 10.0.0.5/32 -j SNAT --to-source 172.24.4.3')
    general = postrouting.index(f'-A POSTROUTING -o {QG} -j SNAT --to-source 172.24.4.10')
    assert floating < general


def test_metadata_redirect_comes_before_floating_ip_dnat():
    prerouting = [r for r in rule_lines(make_router(floating_ips=[fip('172.24.4.3', '10.0.0.5')]))
                  if r.startswith('-A PREROUTING')]
    assert 'REDIRECT --to-ports 9697' in prerouting[0]
    assert 'DNAT' in prerouting[1]


def test_without_enable_snat_only_floating_ips_are_natted():
    rules = rule_lines(make_router(enable_snat=False, floating_ips=[fip('172.24.4.3', '10.0.0.5')]))
    assert '-A POSTROUTING -s 10.0.0.5/32 -j SNAT --to-source 172.24.4.3' in rules
    assert not any('--to-source 172.24.4.10' in rule for rule in rules)


def test_no_snat_without_an_ipv4_gateway_address():
    router = make_router()
    router['gateway']['fixed_ips'] = [{'subnet_id': 's6', 'ip_address': '2001:db8::5',
                                       'prefixlen': 64}]
    assert not any('SNAT' in rule for rule in rule_lines(router))


def test_unassociated_floating_ips_are_ignored():
    router = make_router(floating_ips=[fip('172.24.4.3', None)])
    assert not any('172.24.4.3' in rule for rule in rule_lines(router))
    assert l3.gateway_addresses(router) == ['172.24.4.10/24']


def test_floating_ips_need_a_gateway():
    router = make_router(gateway=False, floating_ips=[fip('172.24.4.3', '10.0.0.5')])
    assert not any('172.24.4.3' in rule for rule in rule_lines(router))


def test_the_text_changes_only_with_the_router():
    one = make_router(floating_ips=[fip('172.24.4.3', '10.0.0.5'), fip('172.24.4.4', '10.0.0.6')])
    two = make_router(floating_ips=[fip('172.24.4.4', '10.0.0.6'), fip('172.24.4.3', '10.0.0.5')])
    assert l3.iptables_rules(one) == l3.iptables_rules(two)
    assert l3.iptables_rules(one) != l3.iptables_rules(make_router())


def test_addresses_of_the_interfaces_and_gateway():
    router = make_router(floating_ips=[fip('172.24.4.3', '10.0.0.5')])
    assert l3.internal_addresses(router['interfaces'][0]) == ['10.0.0.1/24', 'fd00::1/64']
    assert l3.gateway_addresses(router) == ['172.24.4.10/24', '172.24.4.3/32']


def test_routes_default_through_the_first_gateway_of_each_version_and_static_ones():
    router = make_router(gateway_ips=['172.24.4.1', '172.24.4.254', '2001:db8::1'],
                         routes=[{'destination': '192.168.5.0/24', 'nexthop': '10.0.1.7'},
                                 {'destination': '192.168.6.1/32', 'nexthop': '10.0.1.8'}])
    assert l3.wanted_routes(router) == {
        ipaddress.ip_network('0.0.0.0/0'): '172.24.4.1',
        ipaddress.ip_network('::/0'): '2001:db8::1',
        ipaddress.ip_network('192.168.5.0/24'): '10.0.1.7',
        ipaddress.ip_network('192.168.6.1/32'): '10.0.1.8'}


def test_no_default_route_without_gateway_ips():
    assert l3.wanted_routes(make_router(gateway_ips=[])) == {}
    assert l3.wanted_routes(make_router(gateway=False)) == {}
