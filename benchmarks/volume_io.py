#!/usr/bin/env python3
"""Volume I/O: create-from-image time, and sequential writes from a guest, each against the host.

    python benchmarks/volume_io.py                      # 3 rounds, 256 MiB written per round
    python benchmarks/volume_io.py --rounds 1 --mebibytes 8

It runs on the all-in-one (devstack/stack.sh: the volume service's file
backend and the libvirt driver on this host), as root: the baselines write
into the volumes' directory itself (``[backend] volumes_dir`` of
/etc/stratus/volume.conf), so that they use the same file system and disk.

* **Create from image**: ``POST /volumes`` (``--size`` GiB, ``imageRef`` the
  guest image ``stratus-guest``), then ``GET /volumes/{id}`` every 0.1 s
  until ``available``.  Baseline, in the same round: what any create from
  that image has to do on this host, done directly: download the image
  through the image API into a file in the volumes' directory, ``qemu-img
  convert`` it to raw beside it, resize that to the volume's size, fsync.
* **Sequential write**: a guest (``stratus-guest``, ``m1.nano``) on demo's
  network ``private`` with a floating IP, a blank volume attached through
  the compute API; over SSH, the guest's ``time`` of ``dd if=/dev/zero
  of=/dev/vdX bs=1M count=N conv=fsync``.  Baseline: the host's ``dd``
  with the same arguments into a raw file of the volume's size in the
  volumes' directory (the guest's disk is that kind of file), timed by the
  benchmark.

The kinds alternate in order from round to round.  Reported: the medians,
``create_ratio_api_to_baseline`` (API seconds / baseline seconds) and
``write_ratio_guest_to_host`` (guest MiB/s / host MiB/s).  Everything made
(volumes, guest, floating IP, key pair, files) is deleted at the end, also
after a failure.
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

NAME = 'volume_io'
VOLUME_CONF = '/etc/stratus/volume.conf'
WAIT = 300  # seconds for a volume, a guest or an SSH login
POLL = 0.1
SERIAL_LENGTH = 20  # what virtio-blk shows the guest of a disk's serial (the volume id)
MIB = 1024 * 1024
GIB = 1024 * MIB
SSH_OPTIONS = ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
               '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR']


class BenchmarkError(Exception):
    """What stops the benchmark; reported after everything made is deleted."""


def _run(argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, check=True, **kwargs)


def wait_volume(conn, volume_id, status):
    """Poll the volume until ``status``; :raises BenchmarkError: error, or too long."""
    deadline = time.monotonic() + WAIT
    while True:
        current = conn.block_storage.get_volume(volume_id).status
        if current == status:
            return
        if current.startswith('error') or time.monotonic() > deadline:
            raise BenchmarkError(f'volume {volume_id} is {current}, not {status}')
        time.sleep(POLL)


def delete_volume(conn, volume_id):
    volume = conn.block_storage.find_volume(volume_id, ignore_missing=True)
    if volume is not None:
        conn.block_storage.delete_volume(volume)
        conn.block_storage.wait_for_delete(volume, interval=1, wait=WAIT)


def create_from_image(conn, image, size):
    """Seconds from ``POST /volumes`` with the image to ``available``; the volume is deleted."""
    started = time.monotonic()
    volume = conn.block_storage.create_volume(name=f'bench-vol-{uuid.uuid4().hex[:8]}',
                                              size=size, image_id=image.id)
    try:
        wait_volume(conn, volume.id, 'available')
        return time.monotonic() - started
    finally:
        delete_volume(conn, volume.id)


def baseline_create(conn, image, size, volumes_dir):
    """Seconds to download the image, convert it to raw and grow it to ``size`` GiB, durably,
    in ``volumes_dir``; the files are removed."""
    tag = uuid.uuid4().hex[:8]
    download = os.path.join(volumes_dir, f'bench-{tag}.download')
    target = os.path.join(volumes_dir, f'bench-{tag}.raw')
    started = time.monotonic()
    try:
        conn.image.download_image(image, output=download)
        _run(['qemu-img', 'convert', '-f', image.disk_format, '-O', 'raw', download, target])
        _run(['qemu-img', 'resize', '-q', '-f', 'raw', target, str(size * GIB)])
        descriptor = os.open(target, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        return time.monotonic() - started
    finally:
        for path in (download, target):
            if os.path.exists(path):
                os.unlink(path)


class Guest:
    """The benchmark's guest on the member's network, reached over SSH at a floating IP."""

    def __init__(self, conn, args, cleanup, workdir):
        self.conn = conn
        compute, net = conn.compute, conn.network
        suffix = uuid.uuid4().hex[:6]
        keypair = compute.create_keypair(name=f'bench-vol-key-{suffix}')
        cleanup.append(lambda: compute.delete_keypair(keypair, ignore_missing=True))
        self.key_file = os.path.join(workdir, 'key')
        with open(os.open(self.key_file, os.O_WRONLY | os.O_CREAT, 0o600), 'w') as stream:
            stream.write(keypair.private_key)
        image = conn.image.find_image(args.image, ignore_missing=False)
        flavor = compute.find_flavor(args.flavor, ignore_missing=False)
        network = net.find_network(args.network, ignore_missing=False)
        external = net.find_network(args.external_network, ignore_missing=False)
        server = compute.create_server(name=f'bench-vol-{suffix}', image_id=image.id,
                                       flavor_id=flavor.id, networks=[{'uuid': network.id}],
                                       key_name=keypair.name)
        cleanup.append(lambda: (compute.delete_server(server, ignore_missing=True),
                                compute.wait_for_delete(server, wait=WAIT)))
        self.server = compute.wait_for_server(server, wait=WAIT)
        [port] = list(net.ports(device_id=server.id))
        fip = net.create_ip(floating_network_id=external.id, port_id=port.id)
        cleanup.append(lambda: net.delete_ip(fip, ignore_missing=True))
        self.address = fip.floating_ip_address
        deadline = time.monotonic() + WAIT
        while self.ssh('true', check=False).returncode != 0:
            if time.monotonic() > deadline:
                raise BenchmarkError(f'no SSH to the guest at {self.address} after {WAIT} s')
            time.sleep(3)

    def ssh(self, command, check=True, timeout=600):
        return subprocess.run(['ssh', *SSH_OPTIONS, '-i', self.key_file,
                               f'root@{self.address}', command],
                              capture_output=True, text=True, check=check, timeout=timeout)

    def attach(self, volume):
        """Attach through the compute API; the guest's name of the disk (by its serial)."""
        self.conn.compute.create_volume_attachment(self.server, volume)
        wait_volume(self.conn, volume.id, 'in-use')
        serial = volume.id[:SERIAL_LENGTH]
        found = self.ssh(f'''
for n in $(seq 300); do
    for d in /sys/block/vd*; do
        [ "$(cat "$d/serial" 2>/dev/null)" = "{serial}" ] && {{ echo "${{d##*/}}"; exit 0; }}
    done
    usleep 200000
done
exit 1''', check=False, timeout=120)
        if found.returncode != 0:
            raise BenchmarkError(f'the guest shows no disk with serial {serial} 60 s after the '
                             f'volume is in-use')
        return found.stdout.strip()

    def write(self, disk, mebibytes):
        """MiB/s of ``dd`` in the guest, by the guest's ``time``."""
        done = self.ssh(f"time sh -c 'dd if=/dev/zero of=/dev/{disk} bs=1M count={mebibytes} "
                        f"conv=fsync 2>/dev/null' 2>&1")
        return mebibytes / _real_seconds(done.stdout + done.stderr)


def _real_seconds(time_output):
    """The ``real`` seconds busybox's ``time`` printed."""
    match = re.search(r'real\s+(?:(\d+)m\s*)?([\d.]+)s', time_output)
    if not match:
        raise BenchmarkError(f'no time in {time_output!r}')
    return int(match.group(1) or 0) * 60 + float(match.group(2))


def host_write(path, mebibytes):
    """MiB/s of the host's ``dd`` with the guest's arguments, into ``path``."""
    started = time.perf_counter()
    _run(['dd', 'if=/dev/zero', f'of={path}', 'bs=1M', f'count={mebibytes}',
          'conv=notrunc,fsync', 'status=none'])
    return mebibytes / (time.perf_counter() - started)


def write_rounds(conn, args, volumes_dir, cleanup, workdir):
    """``(guest MiB/s per round, host MiB/s per round, same file system or None)``."""
    volume = conn.block_storage.create_volume(name=f'bench-vol-{uuid.uuid4().hex[:8]}',
                                              size=args.size)
    cleanup.append(lambda: delete_volume(conn, volume.id))
    harness.log('booting the guest, and a blank %d GiB volume', args.size)
    guest = Guest(conn, args, cleanup, workdir)
    wait_volume(conn, volume.id, 'available')
    disk = guest.attach(volume)
    # Detached before the volume is deleted (cleanup runs backwards).
    cleanup.append(lambda: (conn.compute.delete_volume_attachment(guest.server, volume),
                            wait_volume(conn, volume.id, 'available')))
    host_file = os.path.join(volumes_dir, f'bench-{uuid.uuid4().hex[:8]}.raw')
    cleanup.append(lambda: os.path.exists(host_file) and os.unlink(host_file))
    with open(host_file, 'wb') as stream:  # sparse, like a new raw volume
        stream.truncate(args.size * GIB)
    volume_file = os.path.join(volumes_dir, f'volume-{volume.id}')
    same = (os.stat(volume_file).st_dev == os.stat(host_file).st_dev
            if os.path.exists(volume_file) else None)
    guest_rates, host_rates = [], []
    for number in range(args.rounds):
        for kind in (('guest', 'host') if number % 2 == 0 else ('host', 'guest')):
            if kind == 'guest':
                guest_rates.append(guest.write(disk, args.mebibytes))
            else:
                host_rates.append(host_write(host_file, args.mebibytes))
        harness.log('round %d: write %d MiB: guest %.1f MiB/s, host %.1f MiB/s', number + 1,
                    args.mebibytes, guest_rates[-1], host_rates[-1])
    return guest_rates, host_rates, same


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--cloud', default='stratus',
                        help='clouds.yaml cloud (default: %(default)s, user demo).')
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--mebibytes', type=int, default=256,
                        help='written by the guest and by the host in each round')
    parser.add_argument('--size', type=int, default=1, help='of the volumes, in GiB')
    parser.add_argument('--image', default='stratus-guest')
    parser.add_argument('--flavor', default='m1.nano')
    parser.add_argument('--network', default='private', help="the guest's network")
    parser.add_argument('--external-network', default='public',
                        help='where its floating IP comes from')
    parser.add_argument('--volume-conf', default=VOLUME_CONF)
    args = parser.parse_args(argv)
    if args.mebibytes * MIB > args.size * GIB:
        parser.error('--mebibytes must fit in a volume of --size GiB')
    conf = harness.read_service_conf(args.volume_conf)
    volumes_dir = conf.get('backend', 'volumes_dir', fallback=None) if conf else None
    if not volumes_dir or not os.path.isdir(volumes_dir):
        raise SystemExit(f'{args.volume_conf}: no [backend] volumes_dir here (run '
                         'devstack/stack.sh on this machine, and this benchmark as root)')
    environment = harness.environment()
    conn = openstack.connect(cloud=args.cloud)
    image = conn.image.find_image(args.image, ignore_missing=False)
    api_times, baseline_times = [], []
    cleanup = []
    try:
        with tempfile.TemporaryDirectory() as workdir:
            try:
                for number in range(args.rounds):
                    for kind in (('api', 'baseline') if number % 2 == 0
                                 else ('baseline', 'api')):
                        if kind == 'api':
                            api_times.append(create_from_image(conn, image, args.size))
                        else:
                            baseline_times.append(baseline_create(conn, image, args.size,
                                                                  volumes_dir))
                    harness.log('round %d: create from image: API %.2f s, baseline %.2f s',
                                number + 1, api_times[-1], baseline_times[-1])
                guest_rates, host_rates, same = write_rounds(conn, args, volumes_dir, cleanup,
                                                             workdir)
            finally:
                for undo in reversed(cleanup):
                    try:
                        undo()
                    except Exception as exc:  # clean up the rest anyway
                        harness.log('cleanup: %s', exc)
    except BenchmarkError as exc:
        raise SystemExit(f'{NAME}: {exc}') from None
    finally:
        conn.close()
    api, baseline = statistics.median(api_times), statistics.median(baseline_times)
    guest, host = statistics.median(guest_rates), statistics.median(host_rates)
    harness.emit({
        'benchmark': NAME, 'timestamp': harness.utc_timestamp(), 'rounds': args.rounds,
        'image': args.image, 'image_disk_format': image.disk_format,
        'image_size_bytes': image.size, 'volume_size_gib': args.size,
        'create_from_image_s': round(api, 3), 'baseline_create_s': round(baseline, 3),
        'create_overhead_s': round(api - baseline, 3),
        'create_ratio_api_to_baseline': harness.ratio(api, baseline),
        'flavor': args.flavor, 'mebibytes': args.mebibytes,
        'guest_write_mib_s': round(guest, 2), 'host_write_mib_s': round(host, 2),
        'write_ratio_guest_to_host': harness.ratio(guest, host, 4),
        'volumes_dir': volumes_dir, 'same_filesystem': same,
        'runs': {'create_from_image_s': [round(t, 3) for t in api_times],
                 'baseline_create_s': [round(t, 3) for t in baseline_times],
                 'guest_write_mib_s': [round(r, 2) for r in guest_rates],
                 'host_write_mib_s': [round(r, 2) for r in host_rates]},
        'environment': environment,
    })
    return 0


if __name__ == '__main__':
    sys.exit(main())
