"""benchmarks/boot_latency.py against the all-in-one: one round, its JSON line, nothing left.

This checks that the benchmark works end to end (a guest booted through the
API and the same guest under plain virsh both reach their banner, and both
are removed), not how fast anything is: these machines are shared.
"""
import json
import os
import subprocess
import sys

from tests.compat.conftest import MEMBER_CLOUD

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO, 'benchmarks', 'boot_latency.py')
FIELDS = {'benchmark', 'timestamp', 'rounds', 'image', 'flavor', 'api_create_to_active_s',
          'api_create_to_banner_s', 'virsh_create_to_running_s', 'virsh_create_to_banner_s',
          'overhead_to_active_s', 'overhead_to_banner_s', 'banner_ratio_api_to_virsh',
          'target', 'target_met', 'environment'}


def test_one_round(clouds_file, hypervisor):
    before = hypervisor.domain_uuids()
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=clouds_file[0])
    completed = subprocess.run([sys.executable, SCRIPT, '--rounds', '1', '--cloud',
                                MEMBER_CLOUD], capture_output=True, text=True, timeout=900,
                               env=env, cwd=REPO)
    assert completed.returncode == 0, completed.stderr
    [line] = completed.stdout.splitlines()
    result = json.loads(line)
    assert FIELDS <= set(result) and result['benchmark'] == 'boot_latency'
    assert 0 < result['api_create_to_active_s'] < result['api_create_to_banner_s']
    assert 0 < result['virsh_create_to_running_s'] < result['virsh_create_to_banner_s']
    assert result['target_met'] == (result['overhead_to_banner_s'] <= 1.5)
    assert 'round 1: API ACTIVE' in completed.stderr
    assert hypervisor.domain_uuids() == before  # both guests are gone
