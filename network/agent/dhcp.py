"""DHCP of the networks this host serves: dnsmasq in a ``qdhcp-<network>`` namespace.

As Neutron's DHCP agent with its dnsmasq driver: the network's DHCP port
is a veth pair (``tap…`` in the network's bridge, ``ns-…`` in the
namespace, with the port's MAC and fixed IPs), and one dnsmasq per
network listens on ``ns-…`` only.  It runs in *static* mode: it answers
only the MACs of the network's ports, each with its own fixed IP and the
hostname ``host-10-0-0-5`` (domain ``openstacklocal``), which its DNS
server also resolves.

Everything that changes with the ports lives in files dnsmasq re-reads on
SIGHUP (``hosts``, ``addn_hosts``, ``opts``), so a port change rewrites
them and signals the running process: guests never see DHCP go away.
Only a change of its command line (subnets, MTU, the DHCP port), of the
addresses of ``ns-…``, or a dead process restarts it; the running process's
``/proc/<pid>/cmdline`` is compared with the wanted one, which also works
across an agent restart.
"""
import ipaddress
import logging
import os
import shutil
import signal
import time

from network.agent import ip_lib

LOG = logging.getLogger(__name__)

NAMESPACE_PREFIX = 'qdhcp-'
DOMAIN = 'openstacklocal'
# Windows (before Vista) reads classless static routes only from the
# private option 249, with the same encoding as option 121.
_MS_CLASSLESS_STATIC_ROUTE = '249'
_STOP_TIMEOUT = 5.0


def namespace_name(network_id):
    return f'{NAMESPACE_PREFIX}{network_id}'


def host_end(port_id):
    return f'tap{port_id[:11]}'


def ns_end(port_id):
    return f'ns-{port_id[:11]}'


def _tag(subnet):
    return f'subnet-{subnet["id"]}'


def _bracketed(address):
    """dnsmasq writes IPv6 addresses in brackets where a list could misread the colons."""
    return f'[{address}]' if ipaddress.ip_address(address).version == 6 else address


def _fqdn(hostname):
    return f'{hostname}.{DOMAIN}'


def _port_ips(dhcp):
    """The DHCP port's fixed IPs on the served subnets: ``{subnet_id: address}``."""
    served = {subnet['id'] for subnet in dhcp['subnets']}
    ips = {}
    for fixed_ip in dhcp['port']['fixed_ips']:
        if fixed_ip['subnet_id'] in served:
            ips.setdefault(fixed_ip['subnet_id'], fixed_ip['ip_address'])
    return ips


def interface_addresses(dhcp):
    """The addresses of ``ns-…``, with the prefix length of their subnet."""
    cidrs = {subnet['id']: subnet['cidr'] for subnet in dhcp['subnets']}
    return [f'{address}/{ipaddress.ip_network(cidrs[subnet_id]).prefixlen}'
            for subnet_id, address in _port_ips(dhcp).items()]


def hosts_file(dhcp):
    """``--dhcp-hostsfile``: one ``MAC,FQDN,IP`` line per port address on a served subnet."""
    served = {subnet['id'] for subnet in dhcp['subnets']}
    lines = [f'{host["mac_address"]},{_fqdn(host["hostname"])},'
             f'{_bracketed(host["ip_address"])}'
             for host in dhcp['hosts'] if host['subnet_id'] in served]
    return ''.join(f'{line}\n' for line in sorted(lines))


def addn_hosts_file(dhcp):
    """``--addn-hosts``: the names dnsmasq's DNS server answers for (``/etc/hosts`` form)."""
    served = {subnet['id'] for subnet in dhcp['subnets']}
    lines = [f'{host["ip_address"]}\t{_fqdn(host["hostname"])} {host["hostname"]}'
             for host in dhcp['hosts'] if host['subnet_id'] in served]
    return ''.join(f'{line}\n' for line in sorted(lines))


def _routes(subnet, subnets):
    """Classless static routes (option 121) of an IPv4 subnet, as ``dest,nexthop`` pairs.

    Besides the subnet's host routes: the network's other IPv4 subnets are
    on-link (``0.0.0.0`` next hop), and, as RFC 3442 makes a client that
    receives option 121 ignore the router option, the default route is
    repeated through the gateway.  Empty when there is nothing but a gateway.
    """
    routes = [(route['destination'], route['nexthop']) for route in subnet['host_routes']
              if ipaddress.ip_network(route['destination']).version == 4]
    routes += [(other['cidr'], '0.0.0.0') for other in subnets
               if other['id'] != subnet['id'] and other['ip_version'] == 4]
    if not routes:
        return []
    if subnet['gateway_ip'] and '0.0.0.0/0' not in {dest for dest, _ in routes}:
        routes.append(('0.0.0.0/0', subnet['gateway_ip']))
    return [f'{dest},{nexthop}' for dest, nexthop in routes]


def _subnet_options(subnet, dhcp, port_ips):
    tag = f'tag:{_tag(subnet)}'
    dns = list(subnet['dns_nameservers'])
    if not dns and subnet['id'] in port_ips:
        dns = [port_ips[subnet['id']]]
    if subnet['ip_version'] == 6:
        return [f'{tag},option6:dns-server,{",".join(_bracketed(ip) for ip in dns)}',
                f'{tag},option6:domain-search,{DOMAIN}']
    # An option without a value stops dnsmasq from sending its own address
    # instead (its default for router and DNS server).
    options = [f'{tag},option:router{"," + subnet["gateway_ip"] if subnet["gateway_ip"] else ""}',
               f'{tag},option:dns-server{"," + ",".join(dns) if dns else ""}']
    routes = _routes(subnet, dhcp['subnets'])
    if routes:
        options.append(f'{tag},option:classless-static-route,{",".join(routes)}')
        options.append(f'{tag},{_MS_CLASSLESS_STATIC_ROUTE},{",".join(routes)}')
    return options


def opts_file(dhcp):
    """``--dhcp-optsfile``: router, DNS servers and routes of each subnet, by its tag."""
    port_ips = _port_ips(dhcp)
    lines = []
    for subnet in sorted(dhcp['subnets'], key=lambda s: s['id']):
        lines += _subnet_options(subnet, dhcp, port_ips)
    return ''.join(f'{line}\n' for line in lines)


def _dhcp_range(subnet, lease_duration):
    network = ipaddress.ip_network(subnet['cidr'])
    lease = 'infinite' if lease_duration < 0 else f'{lease_duration}s'
    if network.version == 6:
        return f'set:{_tag(subnet)},{network.network_address},static,{network.prefixlen},{lease}'
    return f'set:{_tag(subnet)},{network.network_address},static,{network.netmask},{lease}'


class Files:
    """The files of one network's dnsmasq, under ``<state_dir>/dhcp/<network_id>/``."""

    def __init__(self, root, network_id):
        self.directory = os.path.join(root, network_id)
        self.pid = os.path.join(self.directory, 'pid')
        self.hosts = os.path.join(self.directory, 'hosts')
        self.addn_hosts = os.path.join(self.directory, 'addn_hosts')
        self.opts = os.path.join(self.directory, 'opts')
        self.leases = os.path.join(self.directory, 'leases')


def command(dhcp, files, lease_duration):
    """The dnsmasq command line of one network (without the ``ip netns exec`` prefix)."""
    subnets = sorted(dhcp['subnets'], key=lambda s: s['id'])
    lease_max = sum(ipaddress.ip_network(s['cidr']).num_addresses for s in subnets)
    argv = ['dnsmasq', '--conf-file=/dev/null', '--no-hosts', '--no-resolv',
            f'--pid-file={files.pid}', f'--dhcp-hostsfile={files.hosts}',
            f'--addn-hosts={files.addn_hosts}', f'--dhcp-optsfile={files.opts}',
            f'--dhcp-leasefile={files.leases}',
            '--bind-interfaces', f'--interface={ns_end(dhcp["port"]["id"])}',
            '--except-interface=lo', f'--domain={DOMAIN}',
            # Names of the domain are answered here only (no AAAA: no data, not REFUSED).
            f'--local=/{DOMAIN}/',
            f'--dhcp-lease-max={min(lease_max, 2 ** 24)}']
    argv += [f'--dhcp-range={_dhcp_range(subnet, lease_duration)}' for subnet in subnets]
    if any(subnet['ip_version'] == 4 for subnet in subnets):
        # Forced: most DHCP clients (busybox udhcpc among them) do not ask for it.
        argv.append(f'--dhcp-option-force=option:mtu,{dhcp["mtu"]}')
    return argv


def _write(path, content):
    """Write ``path`` when its content differs; True when it did."""
    try:
        with open(path, encoding='utf-8') as existing:
            if existing.read() == content:
                return False
    except FileNotFoundError:
        pass
    temporary = f'{path}.tmp'
    with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 'w',
              encoding='utf-8') as out:
        out.write(content)
    os.chmod(temporary, 0o644)  # whatever the umask: dnsmasq reads it as nobody
    os.replace(temporary, path)
    return True


def _cmdline(pid):
    """The arguments of process ``pid``; empty when it is gone (or a zombie, which has none)."""
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as cmdline:
            return cmdline.read().decode(errors='replace').split('\0')[:-1]
    except (FileNotFoundError, ProcessLookupError):
        return []


def _pid(files):
    """The pid of the dnsmasq that ``files`` belong to, or None when none runs.

    A pid from the file counts only while its process is still a dnsmasq
    using that pid file: pids are reused, and another process is not ours.
    """
    try:
        with open(files.pid, encoding='ascii') as pid_file:
            pid = int(pid_file.read().strip())
    except (FileNotFoundError, ValueError):
        return None
    cmdline = _cmdline(pid)
    if cmdline and cmdline[0].endswith('dnsmasq') and f'--pid-file={files.pid}' in cmdline:
        return pid
    return None


def _stop(pid, what):
    """Terminate ``pid`` and wait until it is gone (killed after ``_STOP_TIMEOUT``)."""
    try:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + _STOP_TIMEOUT
        while _cmdline(pid):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                deadline = float('inf')
            time.sleep(0.05)
    except ProcessLookupError:
        pass
    LOG.info('Stopped dnsmasq %d of %s', pid, what)


class Dhcp:
    """The ``Part`` that serves DHCP (see network/agent/manager.py)."""

    def __init__(self, conf, state_dir):
        self._root = os.path.join(state_dir, 'dhcp')
        self._lease_duration = conf.agent.dhcp_lease_duration
        # dnsmasq drops its privileges to ``nobody`` (it faces the guests) and
        # then re-reads its files on SIGHUP: the way to them must be open to
        # others, without listing the agent's directory (hence x, not r).
        os.makedirs(self._root, mode=0o755, exist_ok=True)
        os.chmod(state_dir, os.stat(state_dir).st_mode | 0o111)
        os.chmod(self._root, 0o755)

    def sync(self, host_state):
        for network_id, dhcp in sorted(host_state['dhcp'].items()):
            try:
                self._sync_network(dhcp)
            except (ip_lib.CommandError, OSError) as exc:
                LOG.error('Network %s: DHCP server failed: %s', network_id, exc)

    def _sync_network(self, dhcp):
        files = Files(self._root, dhcp['network_id'])
        interface_changed = self._sync_interface(dhcp)
        os.makedirs(files.directory, mode=0o755, exist_ok=True)
        changed = [_write(files.hosts, hosts_file(dhcp)),
                   _write(files.addn_hosts, addn_hosts_file(dhcp)),
                   _write(files.opts, opts_file(dhcp))]
        argv = command(dhcp, files, self._lease_duration)
        pid = _pid(files)
        # With --bind-interfaces, dnsmasq listens on the addresses the
        # interface had when it started: a re-made or readdressed one needs a new process.
        if pid is not None and (interface_changed or _cmdline(pid) != argv):
            LOG.info('Network %s: restarting dnsmasq for a new configuration',
                     dhcp['network_id'])
            _stop(pid, dhcp['network_id'])
            pid = None
        if pid is None:
            ip_lib.run(argv, namespace=dhcp['namespace'])  # returns once it runs, or fails
            LOG.info('Network %s: started dnsmasq %s in %s', dhcp['network_id'], _pid(files),
                     dhcp['namespace'])
        elif any(changed):
            os.kill(pid, signal.SIGHUP)
            LOG.info('Network %s: dnsmasq %d reloads its hosts and options',
                     dhcp['network_id'], pid)

    @staticmethod
    def _sync_interface(dhcp):
        """Namespace and DHCP port as the state has them; True when ``ns-…`` was
        created or its addresses changed."""
        namespace = dhcp['namespace']
        port_id = dhcp['port']['id']
        ip_lib.ensure_namespace(namespace)
        for device in ip_lib.list_devices(namespace):
            if device.startswith('ns-') and device != ns_end(port_id):  # a former DHCP port
                ip_lib.delete_device(device, namespace)
        before = (set(ip_lib.addresses(ns_end(port_id), namespace))
                  if ip_lib.device_exists(ns_end(port_id), namespace) else None)
        ip_lib.ensure_veth(host_end(port_id), ns_end(port_id), namespace, dhcp['bridge'],
                           mac=dhcp['port']['mac_address'], mtu=dhcp['mtu'])
        ip_lib.set_addresses(ns_end(port_id), interface_addresses(dhcp), namespace)
        return before != set(ip_lib.addresses(ns_end(port_id), namespace))

    def cleanup(self, host_state):
        """Stop the dnsmasq, remove the namespace and the files of every network
        not served here any more, including those left by an earlier life."""
        wanted = set(host_state['dhcp'])
        for pid, network_id in self._our_processes():
            if network_id not in wanted:
                _stop(pid, network_id)
        for namespace in ip_lib.list_namespaces():
            if namespace.startswith(NAMESPACE_PREFIX) and \
                    namespace[len(NAMESPACE_PREFIX):] not in wanted:
                try:
                    ip_lib.delete_namespace(namespace)
                except ip_lib.CommandError as exc:
                    LOG.error('Removing namespace %s failed: %s', namespace, exc)
        if os.path.isdir(self._root):
            for network_id in sorted(set(os.listdir(self._root)) - wanted):
                shutil.rmtree(os.path.join(self._root, network_id), ignore_errors=True)

    def _our_processes(self):
        """``(pid, network_id)`` of every dnsmasq using a pid file under our directory,
        whether or not that file still exists."""
        prefix = f'--pid-file={self._root}{os.sep}'
        found = []
        for entry in os.listdir('/proc'):
            if not entry.isdigit():
                continue
            cmdline = _cmdline(int(entry))
            if not cmdline or not cmdline[0].endswith('dnsmasq'):
                continue
            for arg in cmdline:
                if arg.startswith(prefix):
                    pid_file = arg[len('--pid-file='):]
                    found.append((int(entry), os.path.basename(os.path.dirname(pid_file))))
        return found
