#!/usr/bin/env python3
"""Network data plane: port wiring latency, and guest-to-guest TCP throughput against a baseline.

    python benchmarks/network_dataplane.py                 # 50 ports, 3 rounds of 16 MiB
    python benchmarks/network_dataplane.py --ports 10 --mebibytes 4 --rounds 1

It runs on the all-in-one (devstack/stack.sh, libvirt driver and the
network agent of this host), as root: it makes tap devices and namespaces.

* **Port to ACTIVE**: as admin, ``--ports`` ports on a new network, bound
  to this host as a compute agent binds its guests' ports; for each port
  the tap device the compute agent would make (``tap<port id[:11]>``) is
  created right after the port; the time from ``POST /ports`` to the port
  showing ``ACTIVE`` (wired by the agent: in its bridge, filtered) is
  measured for every port, all created back to back.
* **Throughput**: two guests (image ``stratus-guest``, ``m1.nano``) of
  project demo on one network, security group open for TCP; one receives
  with ``nc -l`` to /dev/null, the other sends ``--mebibytes`` of zeros
  with ``dd | nc``; the guest's ``time`` of the sending side gives MiB/s.
  The baseline, in the same run: two plain namespaces joined by a Linux
  bridge with veth pairs, sending zeros the same way (busybox ``dd`` and
  ``nc``; ``--baseline-mebibytes`` of them, as they go much faster).
  ``throughput_ratio_guest_to_namespaces`` is the figure to compare between
  machines; guests here are emulated (TCG), which dominates it.

Everything made is deleted at the end, also after a failure.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

if __package__ in (None, ''):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import openstack  # noqa: E402
from benchmarks import harness  # noqa: E402

NAME = 'network_dataplane'
GUEST_IMAGE = 'stratus-guest'
WAIT = 300
SSH_OPTIONS = ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
               '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR']
PORT = 5001


def _run(argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, check=True, **kwargs)


def port_latencies(admin, host, count, cleanup):
    """Seconds from ``POST /ports`` to ACTIVE for ``count`` ports bound to ``host``."""
    network = admin.network.create_network(name=f'bench-ports-{uuid.uuid4().hex[:6]}')
    cleanup.append(lambda: admin.network.delete_network(network, ignore_missing=True))
    admin.network.create_subnet(network_id=network.id, ip_version=4, cidr='10.99.0.0/24',
                                enable_dhcp=False)
    created = {}
    taps = []
    cleanup.append(lambda: [subprocess.run(['ip', 'link', 'del', tap], capture_output=True)
                            for tap in taps])
    for _ in range(count):
        started = time.monotonic()
        port = admin.network.create_port(network_id=network.id, device_owner='compute:nova',
                                         device_id=str(uuid.uuid4()), binding_host_id=host)
        created[port.id] = started
        cleanup.append(lambda port=port: admin.network.delete_port(port, ignore_missing=True))
        tap = f'tap{port.id[:11]}'
        _run(['ip', 'tuntap', 'add', 'dev', tap, 'mode', 'tap'])
        taps.append(tap)
    latencies = {}
    deadline = time.monotonic() + WAIT
    while len(latencies) < count:
        for port in admin.network.ports(network_id=network.id):
            if port.status == 'ACTIVE' and port.id not in latencies:
                latencies[port.id] = time.monotonic() - created[port.id]
        if time.monotonic() > deadline:
            raise SystemExit(f'{count - len(latencies)} of {count} ports not ACTIVE after {WAIT} s')
        time.sleep(0.1)
    return sorted(latencies.values())


def _ssh(key_file, address, command, timeout=120):
    return _run(['ssh', *SSH_OPTIONS, '-i', key_file, f'root@{address}', command],
                timeout=timeout)


def _mib_per_s(time_output, mebibytes):
    """MiB/s from the ``real`` seconds that busybox's ``time`` printed."""
    match = re.search(r'real\s+(?:(\d+)m\s*)?([\d.]+)s', time_output)
    if not match:
        raise SystemExit(f'no time in {time_output!r}')
    seconds = int(match.group(1) or 0) * 60 + float(match.group(2))
    return mebibytes / seconds


def _listen_command():
    """A one-connection receiver.  Its standard input stays open (``sleep``):
    busybox ``nc`` ends the connection when its input ends."""
    return f'(sleep 300 | nc -l -p {PORT} >/dev/null) >/dev/null 2>&1 </dev/null &'


def _send_command(receiver_ip, mebibytes):
    return (f'time sh -c "dd if=/dev/zero bs=65536 count={mebibytes * 16} 2>/dev/null | '
            f'nc {receiver_ip} {PORT}"')


def guest_throughput(member, admin, mebibytes, rounds, cleanup):
    """MiB/s from one guest to another on one network, one figure per round."""
    net = member.network
    suffix = uuid.uuid4().hex[:6]
    network = net.create_network(name=f'bench-net-{suffix}')
    cleanup.append(lambda: net.delete_network(network, ignore_missing=True))
    subnet = net.create_subnet(network_id=network.id, ip_version=4, cidr='10.98.0.0/26')
    external = admin.network.find_network('public', ignore_missing=False)
    router = net.create_router(name=f'bench-router-{suffix}',
                               external_gateway_info={'network_id': external.id})
    cleanup.append(lambda: net.delete_router(router, ignore_missing=True))
    net.add_interface_to_router(router, subnet_id=subnet.id)
    cleanup.append(lambda: net.remove_interface_from_router(router, subnet_id=subnet.id))
    group = net.create_security_group(name=f'bench-sg-{suffix}')
    cleanup.append(lambda: net.delete_security_group(group, ignore_missing=True))
    for protocol in ('tcp', 'icmp'):
        net.create_security_group_rule(security_group_id=group.id, direction='ingress',
                                       ethertype='IPv4', protocol=protocol)
    keypair = member.compute.create_keypair(name=f'bench-key-{suffix}')
    cleanup.append(lambda: member.compute.delete_keypair(keypair, ignore_missing=True))
    key_dir = tempfile.mkdtemp()
    key_file = os.path.join(key_dir, 'key')
    with open(os.open(key_file, os.O_WRONLY | os.O_CREAT, 0o600), 'w') as stream:
        stream.write(keypair.private_key)
    image = member.image.find_image(GUEST_IMAGE, ignore_missing=False)
    flavor = member.compute.find_flavor('m1.nano', ignore_missing=False)
    guests = []
    for role in ('receiver', 'sender'):
        server = member.compute.create_server(
            name=f'bench-{role}-{suffix}', image_id=image.id, flavor_id=flavor.id,
            networks=[{'uuid': network.id}], key_name=keypair.name,
            security_groups=[{'name': group.name}])
        cleanup.append(lambda server=server: (
            member.compute.delete_server(server, ignore_missing=True),
            member.compute.wait_for_delete(server, wait=WAIT)))
        guests.append(server)
    addresses = []
    for server in guests:
        server = member.compute.wait_for_server(server, wait=WAIT)
        [port] = list(net.ports(device_id=server.id))
        fip = net.create_ip(floating_network_id=external.id, port_id=port.id)
        cleanup.append(lambda fip=fip: net.delete_ip(fip, ignore_missing=True))
        addresses.append((port.fixed_ips[0]['ip_address'], fip.floating_ip_address))
    deadline = time.monotonic() + WAIT
    for _fixed, floating in addresses:
        while subprocess.run(['ssh', *SSH_OPTIONS, '-i', key_file, f'root@{floating}', 'true'],
                             capture_output=True, timeout=60).returncode != 0:
            if time.monotonic() > deadline:
                raise SystemExit(f'no SSH to {floating} after {WAIT} s')
            time.sleep(3)
    (receiver_ip, receiver_fip), (_sender_ip, sender_fip) = addresses
    figures = []
    for round_number in range(1, rounds + 1):
        _ssh(key_file, receiver_fip, _listen_command())
        time.sleep(0.5)
        done = _ssh(key_file, sender_fip, _send_command(receiver_ip, mebibytes) + ' 2>&1')
        figures.append(_mib_per_s(done.stdout + done.stderr, mebibytes))
        harness.log('round %d: guest to guest %.1f MiB/s', round_number, figures[-1])
    return figures


def namespace_throughput(mebibytes, rounds, cleanup):
    """MiB/s between two namespaces on a Linux bridge, sent the same way
    (``mebibytes`` should be large enough to take well over the 10 ms
    resolution of busybox's ``time``)."""
    tag = uuid.uuid4().hex[:5]
    bridge, spaces = f'bbr{tag}', [f'bns{tag}a', f'bns{tag}b']
    _run(['ip', 'link', 'add', bridge, 'type', 'bridge'])
    cleanup.append(lambda: subprocess.run(['ip', 'link', 'del', bridge], capture_output=True))
    _run(['ip', 'link', 'set', bridge, 'up'])
    for index, space in enumerate(spaces):
        _run(['ip', 'netns', 'add', space])
        cleanup.append(lambda space=space: subprocess.run(['ip', 'netns', 'del', space],
                                                          capture_output=True))
        host_end = f'bv{tag}{index}'
        _run(['ip', 'link', 'add', host_end, 'type', 'veth', 'peer', 'name', 'eth0',
              'netns', space])
        _run(['ip', 'link', 'set', host_end, 'master', bridge, 'up'])
        _run(['ip', 'netns', 'exec', space, 'ip', 'addr', 'add', f'10.97.0.{index + 1}/24',
              'dev', 'eth0'])
        _run(['ip', 'netns', 'exec', space, 'ip', 'link', 'set', 'eth0', 'up'])
    figures = []
    for round_number in range(1, rounds + 1):
        listener = subprocess.Popen(['ip', 'netns', 'exec', spaces[0], 'busybox', 'sh', '-c',
                                     _listen_command().replace('nc ', 'busybox nc ')])
        time.sleep(0.5)
        done = subprocess.run(['ip', 'netns', 'exec', spaces[1], 'busybox', 'sh', '-c',
                               _send_command('10.97.0.1', mebibytes).replace(
                                   'dd ', 'busybox dd ').replace('| nc', '| busybox nc')
                               + ' 2>&1'], capture_output=True, text=True, check=True)
        listener.wait(timeout=60)
        subprocess.run(['ip', 'netns', 'exec', spaces[0], 'busybox', 'pkill', 'sleep'],
                       capture_output=True)
        figures.append(_mib_per_s(done.stdout + done.stderr, mebibytes))
        harness.log('round %d: namespace to namespace %.1f MiB/s', round_number, figures[-1])
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--ports', type=int, default=50)
    parser.add_argument('--mebibytes', type=int, default=16,
                        help='sent from guest to guest in each round')
    parser.add_argument('--baseline-mebibytes', type=int, default=128,
                        help='sent between the namespaces in each round (they are much faster)')
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--cloud', default='stratus', help='the project of the guests')
    parser.add_argument('--admin-cloud', default='stratus-admin')
    parser.add_argument('--host', default=os.uname().nodename,
                        help='the host the ports are bound to (this one)')
    args = parser.parse_args()
    admin = openstack.connect(cloud=args.admin_cloud)
    member = openstack.connect(cloud=args.cloud)
    cleanup = []
    try:
        harness.log('creating %d ports bound to %s', args.ports, args.host)
        latencies = port_latencies(admin, args.host, args.ports, cleanup)
        harness.log('ports ACTIVE: p50 %.2f s, max %.2f s', statistics.median(latencies),
                    latencies[-1])
        baseline = namespace_throughput(args.baseline_mebibytes, args.rounds, cleanup)
        guests = guest_throughput(member, admin, args.mebibytes, args.rounds, cleanup)
    finally:
        for undo in reversed(cleanup):
            try:
                undo()
            except Exception as exc:  # clean up the rest anyway
                harness.log('cleanup: %s', exc)
    guest_rate, baseline_rate = statistics.median(guests), statistics.median(baseline)
    harness.emit({
        'benchmark': NAME, 'timestamp': harness.utc_timestamp(),
        'ports': args.ports,
        'port_to_active_p50_s': round(statistics.median(latencies), 3),
        'port_to_active_p99_s': round(harness.percentile(latencies, 0.99), 3),
        'port_to_active_max_s': round(latencies[-1], 3),
        'rounds': args.rounds, 'guest_mebibytes': args.mebibytes,
        'namespace_mebibytes': args.baseline_mebibytes,
        'guest_to_guest_mib_s': round(guest_rate, 2),
        'namespace_to_namespace_mib_s': round(baseline_rate, 2),
        'throughput_ratio_guest_to_namespaces': harness.ratio(guest_rate, baseline_rate, 4),
        'environment': harness.environment(),
    })


if __name__ == '__main__':
    main()
