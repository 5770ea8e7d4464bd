"""benchmarks/volume_io.py against the all-in-one: small, its JSON line, nothing left.

This checks that the benchmark works end to end (volumes made from the
guest image, a guest writing onto an attached volume, the host writing
beside it, everything it made removed), not how fast anything is: these
machines are shared.
"""
import configparser
import json
import os
import subprocess
import sys

from tests.compat.conftest import MEMBER_CLOUD

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO, 'benchmarks', 'volume_io.py')
VOLUME_CONF = '/etc/stratus/volume.conf'
FIELDS = {'benchmark', 'timestamp', 'rounds', 'image', 'image_disk_format', 'image_size_bytes',
          'volume_size_gib', 'create_from_image_s', 'baseline_create_s', 'create_overhead_s',
          'create_ratio_api_to_baseline', 'flavor', 'mebibytes', 'guest_write_mib_s',
          'host_write_mib_s', 'write_ratio_guest_to_host', 'volumes_dir', 'same_filesystem',
          'runs', 'environment'}


def _bench_files(volumes_dir):
    return sorted(name for name in os.listdir(volumes_dir) if name.startswith('bench-'))


def test_small_run(clouds_file, hypervisor, member):
    conf = configparser.ConfigParser(interpolation=None)
    assert conf.read(VOLUME_CONF), f'{VOLUME_CONF} is missing: no volume service here'
    volumes_dir = conf.get('backend', 'volumes_dir')
    before = hypervisor.domain_uuids()
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=clouds_file[0])
    completed = subprocess.run([sys.executable, SCRIPT, '--rounds', '1', '--mebibytes', '8',
                                '--cloud', MEMBER_CLOUD], capture_output=True, text=True,
                               timeout=900, env=env, cwd=REPO)
    assert completed.returncode == 0, completed.stderr
    [line] = completed.stdout.splitlines()
    result = json.loads(line)
    assert FIELDS <= set(result) and result['benchmark'] == 'volume_io'
    assert result['volumes_dir'] == volumes_dir and result['same_filesystem'] is True
    assert 0 < result['baseline_create_s'] and 0 < result['create_from_image_s']
    assert result['guest_write_mib_s'] > 0 and result['host_write_mib_s'] > 0
    assert 'round 1: create from image' in completed.stderr
    assert 'round 1: write 8 MiB' in completed.stderr
    assert hypervisor.domain_uuids() == before  # the guest is gone
    assert not [v for v in member.block_storage.volumes() if v.name.startswith('bench-vol-')]
    assert not [k for k in member.compute.keypairs() if k.name.startswith('bench-vol-')]
    assert _bench_files(volumes_dir) == []
