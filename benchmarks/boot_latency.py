#!/usr/bin/env python3
"""Boot latency: a real guest through the compute API against the same guest under plain virsh.

    python benchmarks/boot_latency.py                 # 3 rounds, cloud stratus (demo)
    python benchmarks/boot_latency.py --rounds 5 --check

It runs on the all-in-one (devstack/stack.sh with the libvirt driver), as
root, because it also drives libvirt directly.  Each round:

* **API**: ``POST /servers`` (the guest image ``stratus-guest``, flavor
  ``m1.nano``, no network, a config drive) and then polls ``GET
  /servers/{id}`` until ACTIVE (create-to-ACTIVE) and the guest's console
  log until its banner (create-to-banner).
* **virsh**: the very same guest without Stratus: the domain the agent
  made for a first, unmeasured API boot (which also fills the host's image
  cache), renamed, with its own new qcow2 overlay on the same cached base
  image and copies of the same kernel, ramdisk and config drive, started
  with ``virsh create`` (define-and-start to running) and its console log
  polled for the banner.

Both console logs are read the same way (the file, every 50 ms), so the
difference is what the API, conductor, scheduler and agent add: the
overhead.  The two kinds alternate in order from round to round, so that a
warm cache or a noisy neighbour favours neither.

Target (the issue's): API overhead at most 1.5 s over plain virsh, to
banner (medians).
"""
import argparse
import copy
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid as uuid_mod
import xml.etree.ElementTree as ElementTree

if __package__ in (None, ''):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import stratus  # noqa: E402
from benchmarks import harness  # noqa: E402

NAME = 'boot_latency'
TARGET_OVERHEAD_S = 1.5
COMPUTE_CONF = '/etc/stratus/compute.conf'
BANNER = re.compile(rb'^=== Stratus guest .* ready: ', re.MULTILINE)
POLL = 0.05
BOOT_WAIT = 240


class Hypervisor:
    """This host's libvirt and the agent's instance files, from compute.conf."""

    def __init__(self, conf_path):
        conf = harness.read_service_conf(conf_path)
        if conf is None or conf.get('agent', 'virt_driver', fallback='fake') != 'libvirt':
            raise SystemExit(f'{conf_path}: no libvirt agent here (run devstack/stack.sh with '
                             'COMPUTE_VIRT_DRIVER=libvirt on this machine)')
        self.uri = conf.get('libvirt', 'connection_uri', fallback='qemu:///system')
        self.instances_path = conf.get('agent', 'instances_path')

    def virsh(self, *args):
        result = subprocess.run(['virsh', '-c', self.uri, *args], capture_output=True,
                                text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f'virsh {" ".join(args)}: {result.stderr.strip()}')
        return result.stdout


def wait_for_banner(path, since, deadline):
    """Seconds from ``since`` (monotonic) until ``path`` shows the banner."""
    while time.monotonic() < deadline:
        try:
            with open(path, 'rb') as log:
                if BANNER.search(log.read()):
                    return time.monotonic() - since
        except FileNotFoundError:
            pass
        time.sleep(POLL)
    raise RuntimeError(f'no banner in {path} after {BOOT_WAIT} s')


def boot_through_api(conn, hypervisor, image, flavor):
    """``(create-to-ACTIVE, create-to-banner, server id)`` of one boot through the API."""
    started = time.monotonic()
    deadline = started + BOOT_WAIT
    server = conn.compute.create_server(name=f'bench-boot-{uuid_mod.uuid4().hex[:8]}',
                                        image=image, flavor=flavor, networks='none',
                                        config_drive=True)
    while True:
        status = conn.compute.get_server(server)['status']
        if status == 'ACTIVE':
            active = time.monotonic() - started
            break
        if status == 'ERROR' or time.monotonic() > deadline:
            raise RuntimeError(f'server {server.id} is {status}, not ACTIVE')
        time.sleep(POLL)
    console = os.path.join(hypervisor.instances_path, server.id, 'console.log')
    return active, wait_for_banner(console, started, deadline), server.id


class PlainGuest:
    """The domain the agent made for an API guest, to be started again without Stratus.

    Captured from a first (unmeasured) API boot, which also fills the host's
    image cache: its configuration (``virsh dumpxml --inactive``) with no
    Stratus metadata (the agent must not take the copy for one of its own),
    and copies of its kernel, ramdisk and config drive; each ``boot`` gets a
    new name, uuid and qcow2 overlay on the same cached base image.
    """

    def __init__(self, hypervisor, server_id, template_dir):
        self.hypervisor = hypervisor
        self.root = ElementTree.fromstring(hypervisor.virsh('dumpxml', '--inactive', server_id))
        metadata = self.root.find('metadata')
        if metadata is not None:
            self.root.remove(metadata)
        self.root_disk = None
        for element in [self.root.find('os/kernel'), self.root.find('os/initrd')]:
            if element is not None:
                element.text = _copy(element.text, template_dir)
        for disk in self.root.findall('devices/disk'):
            source = disk.find('source')
            if os.path.basename(source.get('file')) == 'disk':
                self.root_disk = _backing_of(source.get('file'))
            else:
                source.set('file', _copy(source.get('file'), template_dir))

    def boot(self, workdir):
        """``(define-and-start seconds, to-banner seconds, domain uuid)`` of ``virsh create``."""
        guest_uuid = str(uuid_mod.uuid4())
        root = copy.deepcopy(self.root)
        root.find('name').text = f'stratus-bench-{guest_uuid[:8]}'
        root.find('uuid').text = guest_uuid
        for entry in root.iterfind('sysinfo/system/entry'):
            if entry.get('name') in ('uuid', 'serial'):
                entry.text = guest_uuid
        for disk in root.findall('devices/disk'):
            source = disk.find('source')
            if os.path.basename(source.get('file')) == 'disk':
                source.set('file', _overlay(self.root_disk, os.path.join(workdir, 'disk')))
        console = os.path.join(workdir, 'console.log')
        for log in root.iter('log'):
            log.set('file', console)
        xml_path = os.path.join(workdir, 'domain.xml')
        ElementTree.ElementTree(root).write(xml_path)
        started = time.monotonic()
        self.hypervisor.virsh('create', xml_path)
        running = time.monotonic() - started
        return running, wait_for_banner(console, started, started + BOOT_WAIT), guest_uuid


def _copy(path, directory):
    target = os.path.join(directory, os.path.basename(path))
    shutil.copyfile(path, target)
    return target


def _backing_of(path):
    """``(backing file, its format, virtual size)`` of a qcow2 overlay."""
    info = json.loads(subprocess.run(['qemu-img', 'info', '-U', '--output=json', path],
                                     capture_output=True, text=True, check=True).stdout)
    return (info['backing-filename'], info.get('backing-filename-format', 'raw'),
            info['virtual-size'])


def _overlay(backing, target):
    backing_file, backing_format, size = backing
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', backing_file,
                    '-F', backing_format, target, str(size)], check=True, capture_output=True)
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--cloud', default='stratus', help='clouds.yaml cloud (default: '
                                                          '%(default)s, user demo).')
    parser.add_argument('--rounds', type=int, default=3, help='Boots of each kind.')
    parser.add_argument('--image', default='stratus-guest')
    parser.add_argument('--flavor', default='m1.nano')
    parser.add_argument('--compute-conf', default=COMPUTE_CONF)
    parser.add_argument('--check', action='store_true',
                        help='Exit 1 when the target is not met.')
    args = parser.parse_args(argv)
    hypervisor = Hypervisor(args.compute_conf)
    conn = stratus.connect(cloud=args.cloud)
    image = conn.image.find_image(args.image)
    flavor = conn.compute.find_flavor(args.flavor)
    environment = harness.environment()
    scratch = tempfile.mkdtemp(prefix='stratus-bench-boot-')
    os.chmod(scratch, 0o755)  # QEMU runs as a user of its own
    api, plain = [], []
    try:
        harness.log('warming up: one boot through the API, whose guest is the template')
        _active, _banner, server_id = boot_through_api(conn, hypervisor, image, flavor)
        try:
            template = PlainGuest(hypervisor, server_id, scratch)
        finally:
            _delete(conn, server_id)
        for number in range(args.rounds):
            workdir = os.path.join(scratch, f'round-{number}')
            os.mkdir(workdir)
            for kind in (('api', 'virsh') if number % 2 == 0 else ('virsh', 'api')):
                if kind == 'api':
                    active, banner, server_id = boot_through_api(conn, hypervisor, image,
                                                                 flavor)
                    _delete(conn, server_id)
                    api.append((active, banner))
                else:
                    running, banner, guest_uuid = template.boot(workdir)
                    hypervisor.virsh('destroy', guest_uuid)
                    plain.append((running, banner))
            harness.log('round %d: API ACTIVE %.2f s, banner %.2f s; virsh running %.2f s, '
                        'banner %.2f s', number + 1, *api[-1], *plain[-1])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    medians = {
        'api_create_to_active_s': statistics.median(a for a, _b in api),
        'api_create_to_banner_s': statistics.median(b for _a, b in api),
        'virsh_create_to_running_s': statistics.median(r for r, _b in plain),
        'virsh_create_to_banner_s': statistics.median(b for _r, b in plain),
    }
    overhead_active = medians['api_create_to_active_s'] - medians['virsh_create_to_running_s']
    overhead_banner = medians['api_create_to_banner_s'] - medians['virsh_create_to_banner_s']
    result = {
        'benchmark': NAME, 'timestamp': harness.utc_timestamp(), 'rounds': args.rounds,
        'image': args.image, 'flavor': args.flavor,
        **{k: round(v, 3) for k, v in medians.items()},
        'overhead_to_active_s': round(overhead_active, 3),
        'overhead_to_banner_s': round(overhead_banner, 3),
        'banner_ratio_api_to_virsh': harness.ratio(medians['api_create_to_banner_s'],
                                                   medians['virsh_create_to_banner_s']),
        'target': {'overhead_to_banner_s': TARGET_OVERHEAD_S},
        'target_met': overhead_banner <= TARGET_OVERHEAD_S,
        'environment': environment,
    }
    harness.emit(result)
    return 1 if args.check and not result['target_met'] else 0


def _delete(conn, server_id):
    conn.compute.delete_server(server_id)
    conn.compute.wait_for_delete(server_id, wait=BOOT_WAIT)


if __name__ == '__main__':
    sys.exit(main())
