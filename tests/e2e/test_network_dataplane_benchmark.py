"""benchmarks/network_dataplane.py against the all-in-one: small, its JSON line, nothing left.

This checks that the benchmark works end to end (ports wired to ACTIVE,
bytes sent between two guests and between two namespaces, everything it
made removed), not how fast anything is: these machines are shared.
"""
import json
import os
import subprocess
import sys

from tests.compat.conftest import ADMIN_CLOUD
from tests.compat.conftest import MEMBER_CLOUD

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO, 'benchmarks', 'network_dataplane.py')
FIELDS = {'benchmark', 'timestamp', 'ports', 'port_to_active_p50_s', 'port_to_active_p99_s',
          'port_to_active_max_s', 'rounds', 'guest_mebibytes', 'namespace_mebibytes',
          'guest_to_guest_mib_s', 'namespace_to_namespace_mib_s',
          'throughput_ratio_guest_to_namespaces', 'environment'}


def _bench_namespaces():
    listed = subprocess.run(['ip', 'netns', 'list'], capture_output=True, text=True).stdout
    return sorted(line.split()[0] for line in listed.splitlines() if line.startswith('bns'))


def test_small_run(clouds_file, hypervisor, member):
    before = hypervisor.domain_uuids()
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=clouds_file[0])
    completed = subprocess.run(
        [sys.executable, SCRIPT, '--ports', '5', '--mebibytes', '2', '--baseline-mebibytes',
         '16', '--rounds', '1', '--cloud', MEMBER_CLOUD, '--admin-cloud', ADMIN_CLOUD],
        capture_output=True, text=True, timeout=900, env=env, cwd=REPO)
    assert completed.returncode == 0, completed.stderr
    [line] = completed.stdout.splitlines()
    result = json.loads(line)
    assert FIELDS <= set(result) and result['benchmark'] == 'network_dataplane'
    assert 0 < result['port_to_active_p50_s'] <= result['port_to_active_max_s']
    assert result['guest_to_guest_mib_s'] > 0 and result['namespace_to_namespace_mib_s'] > 0
    assert 'round 1: guest to guest' in completed.stderr
    assert hypervisor.domain_uuids() == before  # both guests are gone
    assert _bench_namespaces() == []
    assert not [n for n in member.network.networks() if n.name.startswith('bench-')]
