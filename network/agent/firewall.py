"""Security groups of this host's instance ports, as iptables chains on their taps.

As Neutron's iptables firewall driver for the Linux bridge agent: with
``bridge-nf-call-iptables`` on, bridged frames cross the host's filter
table, where a ``physdev`` match tells which tap they leave by (to the
guest: the port's ingress) or come in by (from the guest: its egress;
also in INPUT, for traffic to the host itself).  Per port ``P``:

* ``stratus-sg-i<P[:11]>`` (ingress): return traffic (conntrack), DHCP
  replies, IPv6 neighbour discovery, the groups' ingress rules, else DROP;
* ``stratus-sg-o<P[:11]>`` (egress): DHCP requests, the source check
  (``stratus-sg-s<P[:11]>``: the port's MAC with its fixed IPs and allowed
  address pairs, else DROP), no DHCP or router advertisements served by the
  guest, return traffic, the groups' egress rules, else DROP.

Allowed packets RETURN from a port chain rather than being accepted there:
a packet between two guests on one bridge must pass the sender's egress
chain *and* the receiver's ingress chain, and ``stratus-sg-chain`` accepts
it only after both.  Ports without port security are not filtered at all;
ports that are administratively down drop everything.  IPv4 and IPv6 are
filtered alike (iptables and ip6tables).

Every sync builds the whole table from the host state and writes it (one
atomic iptables-restore per IP version) only when it differs from what was
last written: a sync that changes nothing runs no command.  Established
connections outlive the removal of the rule that let them in, as in
Neutron: conntrack still knows them.
"""
import ipaddress
import logging
import re

from network import protocols
from network.agent import ip_lib
from network.agent import iptables

LOG = logging.getLogger(__name__)

PREFIX = 'stratus-sg-'
FORWARD_CHAIN = PREFIX + 'FORWARD'
INPUT_CHAIN = PREFIX + 'INPUT'
SG_CHAIN = PREFIX + 'chain'
_JUMPS = (('FORWARD', FORWARD_CHAIN), ('INPUT', INPUT_CHAIN))
VERSIONS = (4, 6)
_BRIDGE_NETFILTER = ('net.bridge.bridge-nf-call-iptables', 'net.bridge.bridge-nf-call-ip6tables')

_PORT_MATCHES = {6: 'tcp', 17: 'udp'}  # protocols with their own --dport match
_MULTIPORT = (33, 132, 136)  # dccp, sctp, udplite: ports through -m multiport

_ESTABLISHED = '-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN'
_INVALID = '-m conntrack --ctstate INVALID -j DROP'
# ICMPv6 that IPv6 needs whatever the rules say (conntrack calls neighbour
# discovery INVALID, so these come before the INVALID drop):
# MLD query, router advertisement, neighbour solicitation and advertisement.
_ICMPV6_IN = (130, 134, 135, 136)
# MLD report and done, router and neighbour solicitation, neighbour
# advertisement, MLDv2 report.
_ICMPV6_OUT = (131, 132, 133, 135, 136, 143)
# What duplicate address detection and MLD send before the port has an address.
_ICMPV6_UNSPECIFIED_SOURCE = (131, 135, 143)
_DHCP = {4: ('68', '67'), 6: ('546', '547')}  # (client port, server port)


def chain_name(kind, port_id):
    """The port's chain: ``kind`` 'i' (to the guest), 'o' (from it) or 's' (source check)."""
    return f'{PREFIX}{kind}{port_id[:11]}'


def _physdev(direction, tap):
    return f'-m physdev --physdev-{direction} {tap} --physdev-is-bridged'


def _rule(*parts):
    return ' '.join(part for part in parts if part)


def _network(address, version):
    network = ipaddress.ip_network(address, strict=False)
    if network.version != version:
        raise ValueError(f'{address} is not an IPv{version} address')
    return network


def _protocol_args(rule, version):
    """``-p`` and the port or ICMP type match of ``rule`` (Neutron's meaning of the port range:
    destination ports, or for ICMP the type in ``port_range_min`` and the code in ``…_max``)."""
    number = protocols.protocol_number(rule.get('protocol'))
    low, high = rule.get('port_range_min'), rule.get('port_range_max')
    if number is None:
        return ''
    if (number, version) in ((1, 4), (1, 6), (58, 6)):
        name, match = ('icmp', '-m icmp --icmp-type') if version == 4 else (
            'ipv6-icmp', '-m icmp6 --icmpv6-type')
        if low is None:
            return f'-p {name}'
        return f'-p {name} {match} {low}' + ('' if high is None else f'/{high}')
    ports = '' if low is None else (f'{low}' if high in (None, low) else f'{low}:{high}')
    if number in _PORT_MATCHES:
        name = _PORT_MATCHES[number]
        return _rule(f'-p {name}', ports and f'-m {name} --dport {ports}')
    if number in _MULTIPORT:
        return _rule(f'-p {number}', ports and f'-m multiport --dports {ports}')
    return f'-p {number}'


def _rule_matches(rule, groups, version):
    """The match parts of ``rule``: one per remote address (none for an empty remote group)."""
    peer = '-s' if rule['direction'] == 'ingress' else '-d'
    protocol = _protocol_args(rule, version)
    if rule.get('remote_group_id'):
        remote = groups.get(rule['remote_group_id'])
        if remote is None:
            LOG.warning('Security group rule %s: remote group %s is not in the host state; '
                        'it matches no address', rule['id'], rule['remote_group_id'])
            return []
        members = {_network(ip, version) for ip in
                   remote.get('member_ips', {}).get(f'IPv{version}', [])}
        return [_rule(f'{peer} {member}', protocol) for member in sorted(members)]
    if rule.get('remote_ip_prefix'):
        network = _network(rule['remote_ip_prefix'], version)
        if network.prefixlen:
            return [_rule(f'{peer} {network}', protocol)]
    return [protocol]


def _group_rules(port, groups, version):
    """``{'ingress': [match, ...], 'egress': [...]}`` of the port's groups, ordered, once each."""
    found = {'ingress': [], 'egress': []}
    for group_id in port['security_group_ids']:
        group = groups.get(group_id)
        if group is None:
            LOG.warning('Port %s: security group %s is not in the host state', port['id'],
                        group_id)
            continue
        for rule in group['rules']:
            if rule['ethertype'] != f'IPv{version}':
                continue
            try:
                matches = _rule_matches(rule, groups, version)
            except ValueError as exc:
                LOG.error('Security group rule %s of group %s is not applied: %s', rule['id'],
                          group_id, exc)
                continue
            chosen = found[rule['direction']]
            chosen += [match for match in matches if match not in chosen]
    return found


def _link_local(mac):
    """The EUI-64 IPv6 link-local address a guest derives from ``mac``."""
    octets = [int(part, 16) for part in mac.split(':')]
    octets[0] ^= 0x02
    eui = octets[:3] + [0xff, 0xfe] + octets[3:]
    return ipaddress.IPv6Network((int.from_bytes(bytes([0xfe, 0x80] + [0] * 6 + eui), 'big'),
                                  128))


def _spoof_rules(port, version):
    """The source check: the port's MAC with its fixed IPs, and the allowed address pairs."""
    pairs = [(port['mac_address'].lower(), fixed['ip_address']) for fixed in port['fixed_ips']]
    pairs += [((pair.get('mac_address') or port['mac_address']).lower(), pair['ip_address'])
              for pair in port.get('allowed_address_pairs') or []]
    allowed = []
    for mac, address in pairs:
        network = ipaddress.ip_network(address, strict=False)
        if network.version == version:
            allowed.append((mac, network))
    if version == 6:
        allowed += [(mac, _link_local(mac)) for mac in sorted({mac for mac, _ in pairs})]
    rules = [f'-s {network} -m mac --mac-source {mac} -j RETURN' for mac, network in allowed]
    return tuple(dict.fromkeys(rules)) + ('-j DROP',)


def _ingress_rules(version, stateful, matches):
    client, server = _DHCP[version]
    rules = []
    if version == 6:
        rules += [f'-p ipv6-icmp -m icmp6 --icmpv6-type {t} -j RETURN' for t in _ICMPV6_IN]
    rules.append(f'-p udp -m udp --sport {server} --dport {client} -j RETURN')
    if stateful:
        rules += [_ESTABLISHED, _INVALID]
    rules += [_rule(match, '-j RETURN') for match in matches]
    rules.append('-j DROP')
    return tuple(rules)


def _egress_rules(port, version, stateful, matches):
    client, server = _DHCP[version]
    if version == 4:
        rules = ['-s 0.0.0.0/32 -d 255.255.255.255/32 -p udp -m udp --sport 68 --dport 67 '
                 f'-m mac --mac-source {port["mac_address"].lower()} -j RETURN']
    else:
        rules = [f'-s ::/128 -d ff02::/16 -p ipv6-icmp -m icmp6 --icmpv6-type {t} -j RETURN'
                 for t in _ICMPV6_UNSPECIFIED_SOURCE]
    rules.append(f'-j {chain_name("s", port["id"])}')
    if version == 6:
        rules.append('-p ipv6-icmp -m icmp6 --icmpv6-type 134 -j DROP')
        rules += [f'-p ipv6-icmp -m icmp6 --icmpv6-type {t} -j RETURN' for t in _ICMPV6_OUT]
    rules += [f'-p udp -m udp --sport {client} --dport {server} -j RETURN',
              f'-p udp -m udp --sport {server} --dport {client} -j DROP']
    if stateful:
        rules += [_ESTABLISHED, _INVALID]
    rules += [_rule(match, '-j RETURN') for match in matches]
    rules.append('-j DROP')
    return tuple(rules)


def _port_chains(port, groups, version):
    """``{chain: rules}`` of one filtered port; a port that cannot be understood drops all."""
    ingress, egress = chain_name('i', port['id']), chain_name('o', port['id'])
    closed = {ingress: ('-j DROP',), egress: ('-j DROP',)}
    if not port['admin_state_up']:
        return closed
    try:
        matches = _group_rules(port, groups, version)
        spoof = _spoof_rules(port, version)
        own = [groups[g] for g in port['security_group_ids'] if g in groups]
        # Neutron's stateless groups: no conntrack, return traffic needs rules of its own.
        stateful = not own or any(group.get('stateful', True) for group in own)
        return {ingress: _ingress_rules(version, stateful, matches['ingress']),
                egress: _egress_rules(port, version, stateful, matches['egress']),
                chain_name('s', port['id']): spoof}
    except (KeyError, TypeError, ValueError) as exc:
        LOG.error('Port %s: cannot build its IPv%d filter (%r); dropping all its traffic',
                  port['id'], version, exc)
        return closed


def build_table(host_state, version):
    """The ``iptables.Table`` of the IPv4 (4) or IPv6 (6) filter for the state's ports."""
    ports = sorted(host_state['ports'].values(), key=lambda port: port['id'])
    if not ports:
        return iptables.Table({}, ())
    groups = host_state.get('security_groups') or {}
    forward, sg_chain, to_host, port_chains = [], [], [], {}
    filtered = [port for port in ports if port['port_security_enabled']]
    for port in filtered:
        tap = port['tap']
        ingress, egress = chain_name('i', port['id']), chain_name('o', port['id'])
        forward += [f'{_physdev(direction, tap)} -j {SG_CHAIN}' for direction in ('out', 'in')]
        sg_chain += [f'{_physdev("out", tap)} -j {ingress}', f'{_physdev("in", tap)} -j {egress}']
        # Frames to the host are not bridged on: no --physdev-is-bridged here.
        to_host.append(f'-m physdev --physdev-in {tap} -j {egress}')
        port_chains.update(_port_chains(port, groups, version))
    sg_chain.append('-j ACCEPT')
    # After every filtered port's jump: a frame from an unfiltered port to a
    # filtered one must still meet the receiver's ingress chain.
    for port in ports:
        if not port['port_security_enabled']:
            forward += [f'{_physdev(direction, port["tap"])} -j ACCEPT'
                        for direction in ('out', 'in')]
    chains = {FORWARD_CHAIN: tuple(forward), SG_CHAIN: tuple(sg_chain),
              INPUT_CHAIN: tuple(to_host), **port_chains}
    return iptables.Table(chains, _JUMPS)


def _enable_bridge_netfilter():
    """Bridged frames cross iptables only with these sysctls on (built into the kernel here)."""
    for key in _BRIDGE_NETFILTER:
        try:
            with open('/proc/sys/' + key.replace('.', '/')) as current:
                if current.read().strip() == '1':
                    continue
        except OSError:
            pass  # sysctl says why below
        try:
            ip_lib.sysctl(key, 1)
        except ip_lib.CommandError as exc:
            LOG.error('Bridged traffic is not filtered: cannot set %s=1: %s', key, exc)


def _failed_line(error, text):
    """The input line iptables-restore names in its error ("line 7 failed"), for the log."""
    found = re.search(r'line (\d+)', error.stderr)
    lines = text.splitlines()
    if found and 0 < int(found.group(1)) <= len(lines):
        return f' (line {found.group(1)}: {lines[int(found.group(1)) - 1]})'
    return ''


class Firewall:
    """The ``Part`` that owns the ``stratus-sg-*`` filter chains (see network/agent/manager.py)."""

    def __init__(self, conf, state_dir):
        self._written = dict.fromkeys(VERSIONS)  # the Table last written, per IP version

    def sync(self, host_state):
        _enable_bridge_netfilter()
        for version in VERSIONS:
            table = build_table(host_state, version)
            if table != self._written[version]:
                previous = self._written[version]
                self._write(version, table, previous.expected() if previous else None)

    def filtered(self, host_state):
        """Ids of the state's ports whose filter is in place: all of them when the tables
        last written are the state's, none when a write failed (fail closed: a port
        is not reported wired, so its server does not go ACTIVE unfiltered)."""
        if all(self._written[v] == build_table(host_state, v) for v in VERSIONS):
            return set(host_state['ports'])
        return set()

    def cleanup(self, host_state):
        """Remove chains (and jumps) of ports no longer in the state; rewrite what was changed
        behind our back (a chain or a jump removed by hand)."""
        for version in VERSIONS:
            table = build_table(host_state, version)
            try:
                observed = iptables.observe(version, PREFIX)
            except ip_lib.CommandError as exc:
                LOG.error('Cannot read the IPv%d filter table: %s', version, exc)
                continue
            if observed != table.expected() or table != self._written[version]:
                self._write(version, table, observed)

    def _write(self, version, table, observed):
        self._written[version] = None  # until written: read the table again next time
        text = ''
        try:
            if observed is None:  # first write of this process: see what a previous one left
                observed = iptables.observe(version, PREFIX)
            text = iptables.render(table, observed)
            iptables.restore(version, text)
        except ip_lib.CommandError as exc:
            LOG.error('Writing the IPv%d filter failed (ports keep their previous filter): %s%s',
                      version, exc, _failed_line(exc, text))
            return
        self._written[version] = table
        LOG.info('Wrote the IPv%d filter: %d chains, %d removed', version, len(table.chains),
                 len(observed.chains - table.chains.keys()))
