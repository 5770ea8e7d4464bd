"""Linux network devices and namespaces, through iproute2 and sysctl.

Every part of the network agent (L2, DHCP, routers, firewall) changes the
host through these few idempotent calls: "make it so" for what must exist,
"gone is fine" for what must not.  Commands run without a shell; a failure
becomes a ``CommandError`` that quotes the tool's own words, so the agent
can log it with the resource it was working on and go on with the others.
"""
import ipaddress
import json
import logging
import os
import signal
import subprocess

LOG = logging.getLogger(__name__)
NETNS_DIR = '/run/netns'


class CommandError(Exception):
    def __init__(self, cmd, returncode, stderr):
        self.cmd = list(cmd)
        self.returncode = returncode
        self.stderr = stderr.strip()
        super().__init__(f'{" ".join(self.cmd)} exited with {returncode}: {self.stderr}')


def run(cmd, namespace=None, check=True, input=None):
    """Run ``cmd`` (inside ``namespace`` when given) and return its standard output.

    :raises CommandError: the command exited non-zero (with ``check``) or
        cannot be run at all.
    """
    argv = (['ip', 'netns', 'exec', namespace] if namespace else []) + list(cmd)
    LOG.debug('Running %s', argv)
    try:
        done = subprocess.run(argv, input=input, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise CommandError(argv, -1, exc.strerror) from exc
    if check and done.returncode != 0:
        raise CommandError(argv, done.returncode, done.stderr or done.stdout)
    return done.stdout


def _ip_json(args, namespace=None):
    return json.loads(run(['ip', '-j', *args], namespace=namespace) or '[]')


def list_devices(namespace=None):
    return [link['ifname'] for link in _ip_json(['link', 'show'], namespace)]


def device_exists(name, namespace=None):
    if namespace is None:
        return os.path.exists(f'/sys/class/net/{name}')
    return name in list_devices(namespace)


def list_namespaces():
    try:
        return sorted(os.listdir(NETNS_DIR))
    except FileNotFoundError:
        return []


def namespace_exists(name):
    return os.path.exists(os.path.join(NETNS_DIR, name))


def ensure_namespace(name):
    """The namespace exists, with its loopback up."""
    if not namespace_exists(name):
        try:
            run(['ip', 'netns', 'add', name])
        except CommandError:
            if not namespace_exists(name):  # not made meanwhile by another caller
                raise
        LOG.info('Created namespace %s', name)
    run(['ip', 'link', 'set', 'lo', 'up'], namespace=name)


def namespace_pids(name):
    out = run(['ip', 'netns', 'pids', name], check=False)
    return [int(pid) for pid in out.split()]


def delete_namespace(name):
    """Kill what still runs in the namespace, remove its devices and then it; a
    missing one is fine.

    The devices go first because the kernel frees a namespace only once the
    last process in it is gone, and then asynchronously: a veth pair left in
    it would keep its host end in a bridge for a while after the delete.
    """
    if not namespace_exists(name):
        return
    for pid in namespace_pids(name):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for device in list_devices(name):
        if device != 'lo':
            delete_device(device, name)
    try:
        run(['ip', 'netns', 'delete', name])
    except CommandError:
        if namespace_exists(name):
            raise
    LOG.info('Deleted namespace %s', name)


def _link_set(device, *args, namespace=None):
    run(['ip', 'link', 'set', 'dev', device, *args], namespace=namespace)


def ensure_bridge(name, mtu=None):
    """The Linux bridge exists and is up (with ``mtu`` when given)."""
    if not device_exists(name):
        try:
            run(['ip', 'link', 'add', name, 'type', 'bridge'])
        except CommandError:
            if not device_exists(name):
                raise
        LOG.info('Created bridge %s', name)
    if mtu:
        _link_set(name, 'mtu', str(mtu))
    _link_set(name, 'up')


def bridge_ports(bridge):
    """Names of the devices enslaved to ``bridge``."""
    try:
        return sorted(os.listdir(f'/sys/class/net/{bridge}/brif'))
    except FileNotFoundError:
        return []


def ensure_veth(host_end, ns_end, namespace, bridge, mac=None, mtu=None):
    """A veth pair: ``ns_end`` in ``namespace`` (with ``mac``), ``host_end`` in ``bridge``, both up."""
    if not device_exists(ns_end, namespace):
        if device_exists(host_end):  # half of an earlier pair whose other end is gone
            delete_device(host_end)
        run(['ip', 'link', 'add', host_end, 'type', 'veth', 'peer', 'name', ns_end,
             'netns', namespace])
        LOG.info('Created %s in %s (peer %s in bridge %s)', ns_end, namespace, host_end, bridge)
    if mac:
        _link_set(ns_end, 'address', mac, namespace=namespace)
    if mtu:
        _link_set(ns_end, 'mtu', str(mtu), namespace=namespace)
        _link_set(host_end, 'mtu', str(mtu))
    _link_set(ns_end, 'up', namespace=namespace)
    _link_set(host_end, 'master', bridge, 'up')


def delete_device(name, namespace=None):
    """Remove the device; a missing one is fine."""
    if not device_exists(name, namespace):
        return
    try:
        run(['ip', 'link', 'del', 'dev', name], namespace=namespace)
    except CommandError:
        if device_exists(name, namespace):
            raise
    LOG.info('Deleted device %s%s', name, f' in {namespace}' if namespace else '')


def addresses(device, namespace=None):
    """The global addresses of ``device`` as ``address/prefixlen`` strings."""
    found = []
    for link in _ip_json(['addr', 'show', 'dev', device], namespace):
        for info in link.get('addr_info', []):
            if info.get('scope') == 'global':
                found.append(f"{info['local']}/{info['prefixlen']}")
    return found


def _normalised(cidr):
    interface = ipaddress.ip_interface(cidr)
    return f'{interface.ip}/{interface.network.prefixlen}'


def set_addresses(device, cidrs, namespace=None):
    """``device`` holds exactly ``cidrs`` ("10.0.0.1/24"), IPv4 and IPv6, as global addresses."""
    wanted = {_normalised(cidr) for cidr in cidrs}
    present = set(addresses(device, namespace))
    for cidr in sorted(present - wanted):
        run(['ip', 'addr', 'del', cidr, 'dev', device], namespace=namespace)
    for cidr in sorted(wanted - present):
        family = '-6' if ipaddress.ip_interface(cidr).version == 6 else '-4'
        run(['ip', family, 'addr', 'add', cidr, 'dev', device], namespace=namespace)


def sysctl(key, value, namespace=None):
    run(['sysctl', '-q', '-w', f'{key}={value}'], namespace=namespace)
