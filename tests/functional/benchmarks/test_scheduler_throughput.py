"""benchmarks/scheduler_throughput.py deploys its own compute service and prints its JSON line.

A handful of servers on three simulated hosts: this checks that the
benchmark works end to end (every server ACTIVE, the claims checked, the
deployment removed), not how fast anything is (no timing assertions: these
machines are shared).
"""
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
SCRIPT = os.path.join(REPO, 'benchmarks', 'scheduler_throughput.py')
TOP_FIELDS = {'benchmark', 'timestamp', 'database', 'conductors', 'agents', 'api_workers',
              'concurrency', 'servers_per_s', 'latency_p50_s', 'latency_p99_s', 'target',
              'target_met', 'servers', 'active', 'error', 'not_settled', 'first_fault',
              'elapsed_s', 'api_create', 'scheduling_to_api_ratio', 'hosts', 'per_host',
              'oversubscribed_hosts', 'usage_mismatch_hosts', 'polls', 'settled_not_listed',
              'environment'}


def run_benchmark(*args, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    return subprocess.run([sys.executable, SCRIPT, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_benchmark_places_every_server_without_oversubscription(database_backend, tmp_path):
    work_dir = tmp_path / 'deployment'
    completed = run_benchmark('--database', database_backend, '--servers', '12', '--hosts', '4',
                              '--agents', '2', '--conductors', '2', '--concurrency', '3',
                              '--headroom', '1.0', '--timeout', '120',
                              '--work-dir', str(work_dir), cwd=str(tmp_path))
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert len(lines) == 1, f'stdout must be one JSON line, got: {completed.stdout!r}'
    result = json.loads(lines[0])

    assert TOP_FIELDS <= set(result)
    assert result['benchmark'] == 'scheduler_throughput'
    assert (result['database'], result['servers'], result['hosts']) == (database_backend, 12, 4)
    assert (result['active'], result['error'], result['not_settled']) == (12, 0, 0), \
        result['first_fault']
    assert result['api_create']['requests'] == 12 and result['api_create']['errors'] == 0
    assert result['servers_per_s'] > 0
    assert 0 < result['latency_p50_s'] <= result['latency_p99_s']
    # Headroom 1.0: the hosts hold exactly the 12 servers, 3 each; every slot is used
    # and none twice.
    assert result['per_host'] == {'capacity_servers': 3, 'min_servers': 3, 'max_servers': 3,
                                  'hosts_used': 4}
    assert result['oversubscribed_hosts'] == [] and result['usage_mismatch_hosts'] == []
    assert result['target'] == {'servers_per_s': 25.0}
    assert result['target_met'] == (result['servers_per_s'] >= 25.0)
    assert result['environment']['cpu_count'] == os.cpu_count()
    assert 'creating 12 servers' in completed.stderr

    # The deployment's processes are gone (their logs stay in the work dir given).
    assert list(work_dir.rglob('agent-1.log'))
    leftover = subprocess.run(['pgrep', '-f', str(work_dir)], capture_output=True, text=True)
    assert leftover.stdout == '', f'processes of the deployment still run: {leftover.stdout}'


def test_benchmark_refuses_hosts_that_agents_cannot_share(tmp_path):
    completed = run_benchmark('--hosts', '5', '--agents', '2', cwd=str(tmp_path))
    assert completed.returncode == 2
    assert completed.stdout == ''
    assert 'multiple of --agents' in completed.stderr
