"""Routers of this host: a ``qrouter-<router>`` namespace each, as Neutron's L3 agent.

Legacy (centralised) routers: the namespace forwards between its
interfaces, one veth pair per router port (``tap…`` in the network's
bridge, ``qr-…`` or, for the external gateway, ``qg-…`` in the namespace,
with the port's MAC, MTU and fixed IPs).  Floating IPs are ``/32``
addresses on ``qg-…`` (so the router answers ARP for them) and a DNAT/SNAT
pair each; guests without one leave SNATed to the gateway's address.

The namespace's ``nat`` and ``filter`` tables belong wholly to this module:
they are written in one ``iptables-restore`` (``iptables_rules``, a pure
function of the router) and only when the text differs from the last one
applied, so an unchanged router costs no iptables work.  The ``nat`` rules
follow Neutron's, in Neutron's order:

* ``PREROUTING``: guests' requests to 169.254.169.254:80 are redirected to
  the metadata proxy on ``METADATA_PROXY_PORT`` of the router itself
  (network/agent/metadata_proxy.py listens there); then each floating IP is
  DNATed to its fixed IP (in ``OUTPUT`` too, for the router's own traffic).
* ``POSTROUTING``: traffic that neither leaves through the gateway nor was
  DNATed is routed untouched (no NAT between internal subnets); a guest
  with a floating IP leaves with it; any other guest leaves with the
  gateway's address (``enable_snat``), and so does traffic of an internal
  subnet DNATed back into the router ("hairpin": a guest reaching another
  guest by its floating IP), so that the reply comes back through the
  router.  Traffic from outside to a floating IP keeps its source address.

The ``filter`` table only lets the metadata proxy be reached from ``qr-``
interfaces: the proxy listens on every address of the namespace, and the
external network has no business there.

Static routes (and the default route through the external subnet's
gateway) are added with ``proto static``, which marks them as ours: a route
of that protocol the router no longer lists is removed, and the kernel's
connected routes are never touched.
"""
import ipaddress
import json
import logging

from compute import device_names
from network.agent import ip_lib

LOG = logging.getLogger(__name__)

METADATA_PROXY_PORT = 9697
METADATA_ADDRESS = '169.254.169.254'
NAMESPACE_PREFIX = 'qrouter-'
INTERNAL_PREFIX = 'qr-'
GATEWAY_PREFIX = 'qg-'
_ROUTE_PROTOCOL = 'static'
_DEFAULT = {4: ipaddress.ip_network('0.0.0.0/0'), 6: ipaddress.ip_network('::/0')}
_FORWARDING_SYSCTLS = ('net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding')


def namespace_name(router_id):
    return f'{NAMESPACE_PREFIX}{router_id}'


def internal_device(port_id):
    return f'{INTERNAL_PREFIX}{port_id[:11]}'


def gateway_device(port_id):
    return f'{GATEWAY_PREFIX}{port_id[:11]}'


def _is_ipv4(address):
    return ipaddress.ip_address(address).version == 4


def _floating_ips(router):
    """The router's floating IPs that are associated, sorted; none without a gateway."""
    if not router['gateway']:
        return []
    return sorted((fip for fip in router['floating_ips'] if fip.get('fixed_ip_address')),
                  key=lambda fip: ipaddress.ip_address(fip['floating_ip_address']))


def _snat_address(router):
    """The gateway's first IPv4 address: what guests without a floating IP leave with."""
    gateway = router['gateway']
    for fixed_ip in gateway['fixed_ips'] if gateway else []:
        if _is_ipv4(fixed_ip['ip_address']):
            return fixed_ip['ip_address']
    return None


def _internal_ipv4_cidrs(router):
    cidrs = {fixed_ip['cidr'] for interface in router['interfaces']
             for fixed_ip in interface['fixed_ips'] if _is_ipv4(fixed_ip['ip_address'])}
    return sorted(cidrs, key=ipaddress.ip_network)


def internal_addresses(interface):
    """The addresses of an interface's ``qr-…``: its fixed IPs with their prefix length."""
    return [f'{fixed_ip["ip_address"]}/{fixed_ip["prefixlen"]}'
            for fixed_ip in interface['fixed_ips']]


def gateway_addresses(router):
    """The addresses of ``qg-…``: the gateway port's fixed IPs and each floating IP as /32."""
    return ([f'{fixed_ip["ip_address"]}/{fixed_ip["prefixlen"]}'
             for fixed_ip in router['gateway']['fixed_ips']] +
            [f'{fip["floating_ip_address"]}/32' for fip in _floating_ips(router)])


def _nat_rules(router):
    prerouting = [f'-A PREROUTING -d {METADATA_ADDRESS}/32 -i {INTERNAL_PREFIX}+ -p tcp '
                  f'-m tcp --dport 80 -j REDIRECT --to-ports {METADATA_PROXY_PORT}']
    output, postrouting = [], []
    if router['gateway']:
        qg = gateway_device(router['gateway']['port_id'])
        postrouting.append(f'-A POSTROUTING ! -o {qg} -m conntrack ! --ctstate DNAT -j ACCEPT')
        for fip in _floating_ips(router):
            floating, fixed = fip['floating_ip_address'], fip['fixed_ip_address']
            prerouting.append(f'-A PREROUTING -d {floating}/32 -j DNAT --to-destination {fixed}')
            output.append(f'-A OUTPUT -d {floating}/32 -j DNAT --to-destination {fixed}')
            postrouting.append(f'-A POSTROUTING -s {fixed}/32 -j SNAT --to-source {floating}')
        snat_address = _snat_address(router)
        if router['enable_snat'] and snat_address:
            postrouting.append(f'-A POSTROUTING -o {qg} -j SNAT --to-source {snat_address}')
            for cidr in _internal_ipv4_cidrs(router):
                postrouting.append(f'-A POSTROUTING -s {cidr} -m conntrack --ctstate DNAT '
                                   f'-j SNAT --to-source {snat_address}')
    return ['*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]',
            ':POSTROUTING ACCEPT [0:0]', *prerouting, *output, *postrouting, 'COMMIT']


def _filter_rules():
    return ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]',
            f'-A INPUT -i {INTERNAL_PREFIX}+ -p tcp -m tcp --dport {METADATA_PROXY_PORT} '
            '-j ACCEPT',
            f'-A INPUT -p tcp -m tcp --dport {METADATA_PROXY_PORT} -j DROP',
            # From the outside only floating IPs (DNAT) and replies get in: a route
            # another project adds via this router's gateway must not lead to our guests.
            f'-A FORWARD -i {GATEWAY_PREFIX}+ -o {INTERNAL_PREFIX}+ '
            '-m conntrack ! --ctstate DNAT,ESTABLISHED,RELATED -j DROP',
            'COMMIT']


def iptables_rules(router):
    """The ``iptables-restore`` input of the router's namespace (``nat`` and ``filter``)."""
    return '\n'.join(_nat_rules(router) + _filter_rules()) + '\n'


def _network(destination):
    return ipaddress.ip_network(destination, strict=False)


def wanted_routes(router):
    """``{destination network: nexthop}``: the default route(s) through the external
    subnets' gateways (the first of each IP version) and the static routes."""
    routes = {}
    if router['gateway']:
        for gateway_ip in router['gateway'].get('gateway_ips') or []:
            version = ipaddress.ip_address(gateway_ip).version
            routes.setdefault(_DEFAULT[version], gateway_ip)
    for route in router['routes']:
        routes[_network(route['destination'])] = route['nexthop']
    return routes


def _present_routes(namespace):
    """``{destination network: nexthop}`` of the namespace's routes that we added."""
    present = {}
    for version in (4, 6):
        out = ip_lib.run(['ip', '-j', f'-{version}', 'route', 'show', 'proto', _ROUTE_PROTOCOL],
                         namespace=namespace)
        for route in json.loads(out or '[]'):
            dst = route['dst']
            present[_DEFAULT[version] if dst == 'default' else _network(dst)] = \
                route.get('gateway')
    return present


def _orphan_host_ends():
    """``tap…`` veth ends whose peer is in a namespace no longer known by any name
    (removed with ``ip netns delete`` while something kept it alive): they would
    keep bridging a network into a router or DHCP server no one can reach."""
    # Links before namespaces: a namespace made meanwhile, with a veth into it, is
    # then already listed, so its fresh veth is never taken for an orphan.
    links = json.loads(ip_lib.run(['ip', '-j', '-d', 'link', 'show', 'type', 'veth']) or '[]')
    named = {ns.get('id') for ns in json.loads(ip_lib.run(['ip', '-j', 'netns', 'list']) or '[]')}
    return sorted(link['ifname'] for link in links
                  if link['ifname'].startswith('tap') and 'link_netnsid' in link
                  and link['link_netnsid'] not in named)


class Routers:
    """The ``Part`` that runs routers (see network/agent/manager.py).

    :param namespace_prefix: the namespaces ``cleanup`` considers its own;
        functional tests narrow it so that they never touch the routers of
        an agent running on the same machine.
    """

    def __init__(self, conf, state_dir, namespace_prefix=NAMESPACE_PREFIX):
        self._prefix = namespace_prefix
        # router id -> what was last applied to its namespace: 'iptables' (the
        # restore text) and 'forwarding' (bool); forgotten when the namespace is new.
        self._applied = {}

    def sync(self, host_state):
        for router_id, router in sorted(host_state['routers'].items()):
            try:
                self._sync_router(router)
            except ip_lib.CommandError as exc:
                LOG.error('Router %s: %s', router_id, exc)
            except Exception:  # a bad router must not keep the others from being served
                LOG.exception('Router %s: sync failed', router_id)

    def _sync_router(self, router):
        namespace = router['namespace']
        if not ip_lib.namespace_exists(namespace):
            self._applied.pop(router['id'], None)
        ip_lib.ensure_namespace(namespace)
        applied = self._applied.setdefault(router['id'], {})
        forwarding = bool(router['admin_state_up'])
        if applied.get('forwarding') != forwarding:
            for key in _FORWARDING_SYSCTLS:
                ip_lib.sysctl(key, int(forwarding), namespace)
            applied['forwarding'] = forwarding
            LOG.info('Router %s: forwarding %s', router['id'], 'on' if forwarding else 'off')
        self._sync_devices(router)
        self._sync_routes(router)
        rules = iptables_rules(router)
        if applied.get('iptables') != rules:
            ip_lib.run(['iptables-restore', '-w', '10'], namespace=namespace, input=rules)
            applied['iptables'] = rules
            LOG.info('Router %s: applied NAT of %d floating IPs', router['id'],
                     len(_floating_ips(router)))

    def _sync_devices(self, router):
        """One veth pair per router port, holding its addresses; the others removed."""
        namespace = router['namespace']
        ports = [(internal_device(interface['port_id']), interface, internal_addresses(interface))
                 for interface in router['interfaces']]
        if router['gateway']:
            ports.append((gateway_device(router['gateway']['port_id']), router['gateway'],
                          gateway_addresses(router)))
        wanted = {device for device, _, _ in ports}
        for device in ip_lib.list_devices(namespace):
            if device.startswith((INTERNAL_PREFIX, GATEWAY_PREFIX)) and device not in wanted:
                ip_lib.delete_device(device, namespace)  # its host end goes with it
                LOG.info('Router %s: removed %s', router['id'], device)
        for device, port, cidrs in ports:
            ip_lib.ensure_veth(device_names.tap_name(port['port_id']), device, namespace,
                               port['bridge'], mac=port['mac_address'], mtu=port['mtu'])
            ip_lib.set_addresses(device, cidrs, namespace)

    def _sync_routes(self, router):
        """Our routes are exactly the wanted ones; one bad route does not stop the others."""
        namespace = router['namespace']
        wanted = wanted_routes(router)
        present = _present_routes(namespace)
        commands = [['ip', 'route', 'del', str(destination), 'proto', _ROUTE_PROTOCOL]
                    for destination in sorted(set(present) - set(wanted), key=str)]
        commands += [['ip', 'route', 'replace', str(destination), 'via', nexthop,
                      'proto', _ROUTE_PROTOCOL]
                     for destination, nexthop in sorted(wanted.items(), key=lambda i: str(i[0]))
                     if present.get(destination) != nexthop]
        for command in commands:
            try:
                ip_lib.run(command, namespace=namespace)
            except ip_lib.CommandError as exc:
                LOG.error('Router %s: route not set: %s', router['id'], exc)

    def cleanup(self, host_state):
        """Remove the namespaces of routers not in ``host_state`` (with their veth
        pairs: ``ip_lib.delete_namespace``), then host ends left by namespaces that
        were deleted earlier without theirs."""
        wanted = {router['namespace'] for router in host_state['routers'].values()}
        for router_id in set(self._applied) - set(host_state['routers']):
            del self._applied[router_id]
        for namespace in ip_lib.list_namespaces():
            if not namespace.startswith(self._prefix) or namespace in wanted:
                continue
            try:
                ip_lib.delete_namespace(namespace)
            except ip_lib.CommandError as exc:
                LOG.error('Removing router namespace %s failed: %s', namespace, exc)
        try:
            for device in _orphan_host_ends():
                ip_lib.delete_device(device)
                LOG.info('Removed %s, left by a deleted namespace', device)
        except ip_lib.CommandError as exc:
            LOG.error('Removing host ends of deleted namespaces failed: %s', exc)
