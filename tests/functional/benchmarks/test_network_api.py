"""benchmarks/network_api.py deploys its own network service and prints its JSON line.

A few dozen ports: this checks that the benchmark works end to end (every
port created with its own address, listed once, the deployment removed),
not how fast anything is (no timing assertions: these machines are shared).
"""
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
SCRIPT = os.path.join(REPO, 'benchmarks', 'network_api.py')
TOP_FIELDS = {'benchmark', 'timestamp', 'database', 'api_workers', 'concurrency', 'ports',
              'port_create', 'show_baseline', 'create_to_show_ratio', 'port_list',
              'database_read', 'list_to_db_ratio', 'first_page', 'checks', 'correct',
              'environment'}


def run_benchmark(*args, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    return subprocess.run([sys.executable, SCRIPT, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_benchmark_creates_and_lists_ports_with_distinct_addresses(database_backend, tmp_path):
    work_dir = tmp_path / 'deployment'
    completed = run_benchmark('--database', database_backend, '--ports', '150',
                              '--concurrency', '3', '--baseline-requests', '20',
                              '--list-repetitions', '2', '--work-dir', str(work_dir), '--check',
                              cwd=str(tmp_path))
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert len(lines) == 1, f'stdout must be one JSON line, got: {completed.stdout!r}'
    result = json.loads(lines[0])
    assert TOP_FIELDS <= set(result)
    assert (result['benchmark'], result['database'], result['ports']) == (
        'network_api', database_backend, 150)
    assert result['port_create']['requests'] == 150 and result['port_create']['errors'] == 0
    assert result['show_baseline']['requests'] == 20
    assert result['checks'] == {'distinct_addresses': 150, 'duplicate_addresses': 0,
                                'listed_ports': 150, 'listed_once_each': True}
    assert result['correct'] is True
    assert result['create_to_show_ratio'] > 0 and result['list_to_db_ratio'] > 0
    assert len(result['port_list']['runs_ms']) == 2
    assert result['first_page']['ports'] == 100
    assert 'creating 150 ports' in completed.stderr

    leftover = subprocess.run(['pgrep', '-f', str(work_dir)], capture_output=True, text=True)
    assert leftover.stdout == '', f'processes of the deployment still run: {leftover.stdout}'


def test_benchmark_refuses_more_ports_than_the_subnet_holds(tmp_path):
    completed = run_benchmark('--ports', '20000', cwd=str(tmp_path))
    assert completed.returncode == 2
    assert completed.stdout == ''
    assert 'at most 16000' in completed.stderr
