"""The firewall's rules from a host state, and when it writes them (iptables itself is faked
at the process boundary, ``ip_lib.run``; tests/functional/network/agent runs the real one)."""
import pytest

from network.agent import firewall
from network.agent import ip_lib
from network.agent import iptables

PORT_A = 'aaaaaaaa-1111-2222-3333-444444444444'
PORT_B = 'bbbbbbbb-1111-2222-3333-444444444444'


def _port(port_id=PORT_A, groups=('g',), **changes):
    return {'id': port_id, 'network_id': 'n', 'project_id': 'p',
            'mac_address': 'FA:16:3E:00:00:01', 'device_id': 'vm', 'device_owner': 'compute:nova',
            'admin_state_up': True, 'port_security_enabled': True,
            'fixed_ips': [{'subnet_id': 's', 'ip_address': '10.0.0.5'},
                          {'subnet_id': 's6', 'ip_address': 'fd00::5'}],
            'allowed_address_pairs': [], 'security_group_ids': list(groups),
            'tap': f'tap{port_id[:11]}', 'bridge': 'brq', **changes}


def _rule(**fields):
    return {'id': 'r', 'direction': 'ingress', 'ethertype': 'IPv4', 'protocol': None,
            'port_range_min': None, 'port_range_max': None, 'remote_ip_prefix': None,
            'remote_group_id': None, **fields}


def _state(ports, rules=(), groups=None):
    groups = groups or {'g': {'id': 'g', 'stateful': True, 'rules': list(rules),
                              'member_ips': {'IPv4': [], 'IPv6': []}}}
    return {'host': 'h', 'networks': {}, 'ports': {p['id']: p for p in ports},
            'security_groups': groups}


def _chain(state, kind, version=4, port_id=PORT_A):
    return firewall.build_table(state, version).chains[firewall.chain_name(kind, port_id)]


def _group_rules(rules, direction='ingress', version=4):
    """The rules of a port's ``direction`` chain that come from its groups."""
    chain = _chain(_state([_port()], rules), 'i' if direction == 'ingress' else 'o', version)
    start = chain.index('-m conntrack --ctstate INVALID -j DROP') + 1
    assert chain[-1] == '-j DROP'
    return list(chain[start:-1])


def test_chain_names_fit_iptables():
    names = firewall.build_table(_state([_port()]), 4).chains
    assert all(name.startswith('stratus-') and len(name) <= 28 for name in names)
    assert firewall.chain_name('i', PORT_A) == 'stratus-sg-iaaaaaaaa-11'


@pytest.mark.parametrize('rule, version, expected', [
    (dict(protocol='tcp', port_range_min=22, port_range_max=22), 4,
     '-p tcp -m tcp --dport 22 -j RETURN'),
    (dict(protocol='udp', port_range_min=1000, port_range_max=2000), 4,
     '-p udp -m udp --dport 1000:2000 -j RETURN'),
    (dict(protocol='6'), 4, '-p tcp -j RETURN'),
    (dict(protocol='sctp', port_range_min=5, port_range_max=6), 4,
     '-p 132 -m multiport --dports 5:6 -j RETURN'),
    (dict(protocol='gre'), 4, '-p 47 -j RETURN'),
    (dict(protocol='112'), 4, '-p 112 -j RETURN'),
    (dict(protocol='icmp'), 4, '-p icmp -j RETURN'),
    (dict(protocol='icmp', port_range_min=8), 4, '-p icmp -m icmp --icmp-type 8 -j RETURN'),
    (dict(protocol='icmp', port_range_min=3, port_range_max=0), 4,
     '-p icmp -m icmp --icmp-type 3/0 -j RETURN'),
    (dict(protocol='icmp', ethertype='IPv6', port_range_min=128), 6,
     '-p ipv6-icmp -m icmp6 --icmpv6-type 128 -j RETURN'),
    (dict(protocol='ipv6-icmp', ethertype='IPv6'), 6, '-p ipv6-icmp -j RETURN'),
    (dict(), 4, '-j RETURN'),
    (dict(remote_ip_prefix='192.168.0.0/16', protocol='tcp'), 4,
     '-s 192.168.0.0/16 -p tcp -j RETURN'),
    (dict(remote_ip_prefix='0.0.0.0/0'), 4, '-j RETURN'),
    (dict(remote_ip_prefix='2001:db8::/32', ethertype='IPv6'), 6, '-s 2001:db8::/32 -j RETURN'),
])
def test_ingress_rule(rule, version, expected):
    assert _group_rules([_rule(**rule)], version=version) == [expected]


def test_egress_rule_matches_the_destination():
    rules = [_rule(direction='egress', remote_ip_prefix='10.1.0.0/16', protocol='udp',
                   port_range_min=53, port_range_max=53)]
    assert _group_rules(rules, 'egress') == ['-d 10.1.0.0/16 -p udp -m udp --dport 53 -j RETURN']
    assert _group_rules(rules, 'ingress') == []


def test_rules_go_to_their_ip_version_only():
    rules = [_rule(ethertype='IPv6', protocol='tcp')]
    assert _group_rules(rules, version=4) == []
    assert _group_rules(rules, version=6) == ['-p tcp -j RETURN']


def test_remote_group_is_one_rule_per_member_of_the_version():
    groups = {'g': {'id': 'g', 'rules': [_rule(remote_group_id='peers', protocol='tcp')],
                    'member_ips': {}},
              'peers': {'id': 'peers', 'rules': [],
                        'member_ips': {'IPv4': ['10.0.0.9', '10.0.0.7', '10.0.0.9'],
                                       'IPv6': ['fd00::9']}}}
    chain = _chain(_state([_port()], groups=groups), 'i')
    assert [rule for rule in chain if '-p tcp' in rule] == [
        '-s 10.0.0.7/32 -p tcp -j RETURN', '-s 10.0.0.9/32 -p tcp -j RETURN']


def test_remote_group_without_members_or_unknown_matches_nothing():
    groups = {'g': {'id': 'g', 'rules': [_rule(id='1', remote_group_id='empty'),
                                         _rule(id='2', remote_group_id='unknown')],
                    'member_ips': {}},
              'empty': {'id': 'empty', 'rules': [], 'member_ips': {'IPv4': [], 'IPv6': []}}}
    chain = _chain(_state([_port()], groups=groups), 'i')
    assert '-j RETURN' not in chain  # no "allow all" from an empty group
    assert chain[-1] == '-j DROP'


def test_bad_rule_is_skipped_and_the_others_kept(caplog):
    rules = [_rule(id='bad', protocol='nonsense'), _rule(id='good', protocol='tcp')]
    assert _group_rules(rules) == ['-p tcp -j RETURN']
    assert 'bad' in caplog.text


def test_duplicate_rules_of_several_groups_appear_once():
    groups = {name: {'id': name, 'rules': [_rule(protocol='tcp')], 'member_ips': {}}
              for name in ('g', 'h')}
    chain = _chain(_state([_port(groups=('g', 'h'))], groups=groups), 'i')
    assert chain.count('-p tcp -j RETURN') == 1


def test_ingress_chain_order():
    chain = _chain(_state([_port()], [_rule(protocol='tcp')]), 'i')
    assert chain == ('-p udp -m udp --sport 67 --dport 68 -j RETURN',
                     '-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
                     '-m conntrack --ctstate INVALID -j DROP',
                     '-p tcp -j RETURN', '-j DROP')


def test_ipv6_neighbour_discovery_passes_before_the_invalid_drop():
    chain = _chain(_state([_port()]), 'i', 6)
    invalid = chain.index('-m conntrack --ctstate INVALID -j DROP')
    for icmp_type in (135, 136):
        assert chain.index(f'-p ipv6-icmp -m icmp6 --icmpv6-type {icmp_type} -j RETURN') < invalid
    egress = _chain(_state([_port()]), 'o', 6)
    spoof = egress.index(f'-j {firewall.chain_name("s", PORT_A)}')
    assert egress.index('-p ipv6-icmp -m icmp6 --icmpv6-type 134 -j DROP') > spoof  # no RAs
    assert egress.index('-p ipv6-icmp -m icmp6 --icmpv6-type 135 -j RETURN') > spoof


def test_egress_chain_checks_the_source_then_dhcp():
    chain = _chain(_state([_port()]), 'o')
    assert chain[:4] == (
        '-s 0.0.0.0/32 -d 255.255.255.255/32 -p udp -m udp --sport 68 --dport 67 '
        '-m mac --mac-source fa:16:3e:00:00:01 -j RETURN',
        f'-j {firewall.chain_name("s", PORT_A)}',
        '-p udp -m udp --sport 68 --dport 67 -j RETURN',
        '-p udp -m udp --sport 67 --dport 68 -j DROP')


def test_source_check_with_address_pairs():
    port = _port(allowed_address_pairs=[{'ip_address': '10.0.1.0/24'},
                                        {'ip_address': '10.0.2.2',
                                         'mac_address': 'fa:16:3e:aa:bb:cc'},
                                        {'ip_address': 'fd00::77'}])
    state = _state([port])
    assert _chain(state, 's') == (
        '-s 10.0.0.5/32 -m mac --mac-source fa:16:3e:00:00:01 -j RETURN',
        '-s 10.0.1.0/24 -m mac --mac-source fa:16:3e:00:00:01 -j RETURN',
        '-s 10.0.2.2/32 -m mac --mac-source fa:16:3e:aa:bb:cc -j RETURN',
        '-j DROP')
    assert _chain(state, 's', 6) == (
        '-s fd00::5/128 -m mac --mac-source fa:16:3e:00:00:01 -j RETURN',
        '-s fd00::77/128 -m mac --mac-source fa:16:3e:00:00:01 -j RETURN',
        '-s fe80::f816:3eff:fe00:1/128 -m mac --mac-source fa:16:3e:00:00:01 -j RETURN',
        '-s fe80::f816:3eff:feaa:bbcc/128 -m mac --mac-source fa:16:3e:aa:bb:cc -j RETURN',
        '-j DROP')


def test_stateless_groups_have_no_conntrack_rules():
    groups = {'g': {'id': 'g', 'stateful': False, 'rules': [_rule(protocol='tcp')],
                    'member_ips': {}}}
    chain = _chain(_state([_port()], groups=groups), 'i')
    assert not any('conntrack' in rule for rule in chain)
    assert chain[-2:] == ('-p tcp -j RETURN', '-j DROP')


def test_jumps_and_the_accept_after_both_port_chains():
    table = firewall.build_table(_state([_port(), _port(PORT_B, port_security_enabled=False)]), 4)
    tap_a, tap_b = f'tap{PORT_A[:11]}', f'tap{PORT_B[:11]}'
    assert table.jumps == (('FORWARD', 'stratus-sg-FORWARD'), ('INPUT', 'stratus-sg-INPUT'))
    assert table.chains['stratus-sg-FORWARD'] == (
        f'-m physdev --physdev-out {tap_a} --physdev-is-bridged -j stratus-sg-chain',
        f'-m physdev --physdev-in {tap_a} --physdev-is-bridged -j stratus-sg-chain',
        # the unfiltered port, after every filtered one
        f'-m physdev --physdev-out {tap_b} --physdev-is-bridged -j ACCEPT',
        f'-m physdev --physdev-in {tap_b} --physdev-is-bridged -j ACCEPT')
    assert table.chains['stratus-sg-chain'] == (
        f'-m physdev --physdev-out {tap_a} --physdev-is-bridged '
        f'-j {firewall.chain_name("i", PORT_A)}',
        f'-m physdev --physdev-in {tap_a} --physdev-is-bridged '
        f'-j {firewall.chain_name("o", PORT_A)}',
        '-j ACCEPT')
    assert table.chains['stratus-sg-INPUT'] == (
        f'-m physdev --physdev-in {tap_a} -j {firewall.chain_name("o", PORT_A)}',)
    assert not any(PORT_B[:11] in name for name in table.chains)


def test_admin_down_port_drops_everything():
    state = _state([_port(admin_state_up=False)], [_rule()])
    assert _chain(state, 'i') == ('-j DROP',)
    assert _chain(state, 'o') == ('-j DROP',)


def test_port_that_cannot_be_understood_drops_everything(caplog):
    broken = _port(PORT_B, fixed_ips=[{'subnet_id': 's', 'ip_address': 'not an address'}])
    state = _state([_port(), broken], [_rule(protocol='tcp')])
    assert _chain(state, 'o', port_id=PORT_B) == ('-j DROP',)
    assert '-p tcp -j RETURN' in _chain(state, 'i')
    assert PORT_B in caplog.text


def test_no_port_no_chain():
    assert firewall.build_table(_state([]), 4) == iptables.Table({}, ())


def test_render_rewrites_ours_deletes_stale_chains_and_fixes_jumps():
    table = iptables.Table({'stratus-sg-FORWARD': ('-j stratus-sg-x',), 'stratus-sg-x': ()},
                           (('FORWARD', 'stratus-sg-FORWARD'), ('INPUT', 'stratus-sg-INPUT')))
    observed = iptables.Observed(frozenset({'stratus-sg-FORWARD', 'stratus-sg-old'}),
                                 (('FORWARD', 'stratus-sg-FORWARD'),
                                  ('FORWARD', 'stratus-sg-FORWARD'),
                                  ('FORWARD', 'stratus-sg-old')))
    assert iptables.render(table, observed).splitlines() == [
        '*filter',
        ':stratus-sg-FORWARD - [0:0]', ':stratus-sg-x - [0:0]', ':stratus-sg-old - [0:0]',
        '-D FORWARD -j stratus-sg-FORWARD',  # one of the two copies
        '-D FORWARD -j stratus-sg-old',
        '-A stratus-sg-FORWARD -j stratus-sg-x',
        '-I INPUT 1 -j stratus-sg-INPUT',
        '-X stratus-sg-old',
        'COMMIT']


SAVED = """# Generated by iptables-save
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:DOCKER - [0:0]
:stratus-sg-FORWARD - [0:0]
:stratus-sg-iabc - [0:0]
-A FORWARD -j DOCKER
-A FORWARD -j stratus-sg-FORWARD
-A FORWARD -i br0 -j stratus-sg-FORWARD
-A stratus-sg-FORWARD -j stratus-sg-iabc
COMMIT
"""


class FakeIptables:
    """``ip_lib.run`` for iptables-save/-restore: keeps what was restored, answers SAVED."""

    def __init__(self, fail=False):
        self.calls = []
        self.fail = fail

    def __call__(self, cmd, namespace=None, check=True, input=None):
        self.calls.append((cmd[0], input))
        if self.fail and 'restore' in cmd[0]:
            raise ip_lib.CommandError(cmd, 2, 'iptables-restore: line 3 failed')
        return SAVED if 'save' in cmd[0] else ''


@pytest.fixture
def fake(monkeypatch):
    fake = FakeIptables()
    monkeypatch.setattr(ip_lib, 'run', fake)
    monkeypatch.setattr(firewall, '_enable_bridge_netfilter', lambda: None)
    return fake


def test_observe_finds_our_chains_and_the_plain_jumps_to_them(fake):
    assert iptables.observe(4, 'stratus-sg-') == iptables.Observed(
        frozenset({'stratus-sg-FORWARD', 'stratus-sg-iabc'}),
        (('FORWARD', 'stratus-sg-FORWARD'),))


def test_sync_writes_once_per_change_and_reads_the_table_only_first(fake):
    fw = firewall.Firewall(None, None)
    state = _state([_port()], [_rule(protocol='tcp')])
    fw.sync(state)
    assert [tool for tool, _ in fake.calls] == ['iptables-save', 'iptables-restore',
                                               'ip6tables-save', 'ip6tables-restore']
    assert '-X stratus-sg-iabc' in fake.calls[1][1]  # left by an earlier process
    fake.calls.clear()
    fw.sync(state)
    assert fake.calls == []
    state['security_groups']['g']['rules'].append(_rule(protocol='udp', id='r2'))
    fw.sync(state)
    assert [tool for tool, _ in fake.calls] == ['iptables-restore']  # IPv6 unchanged
    assert '-p udp -j RETURN' in fake.calls[0][1]
    assert '-X' not in fake.calls[0][1] and '-I FORWARD' not in fake.calls[0][1]


def test_a_failed_write_is_logged_and_tried_again(fake, caplog):
    fake.fail = True
    fw = firewall.Firewall(None, None)
    state = _state([_port()])
    fw.sync(state)
    assert 'line 3: :stratus-sg-chain - [0:0]' in caplog.text
    fake.fail = False
    fake.calls.clear()
    fw.sync(state)
    assert [tool for tool, _ in fake.calls] == ['iptables-save', 'iptables-restore',
                                               'ip6tables-save', 'ip6tables-restore']


def test_cleanup_rewrites_when_the_kernel_differs(fake):
    fw = firewall.Firewall(None, None)
    fw.sync(_state([]))  # wants nothing; SAVED holds leftovers
    fake.calls.clear()
    fw.cleanup(_state([]))  # the fake still answers SAVED: leftovers are removed again
    restores = [text for tool, text in fake.calls if 'restore' in tool]
    assert restores and all('-X stratus-sg-iabc' in text for text in restores)
