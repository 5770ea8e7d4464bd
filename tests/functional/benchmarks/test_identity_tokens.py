"""benchmarks/identity_tokens.py runs against a real identity API and prints its JSON line.

Tiny request counts: this checks that the benchmark works and that the API
answers every request under concurrent load, not how fast it is (no timing
assertions: these machines are shared).
"""
import json
import os
import subprocess
import sys

import yaml

from tests import servers

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
SCRIPT = os.path.join(REPO, 'benchmarks', 'identity_tokens.py')
PHASE_FIELDS = {'concurrency', 'requests', 'errors', 'elapsed_s', 'rate_per_s', 'p50_ms',
                'p99_ms', 'first_error'}
TOP_FIELDS = {'benchmark', 'timestamp', 'target_url', 'identity_version', 'user', 'project',
              'mode', 'issue', 'validate', 'validate_to_issue_ratio', 'criteria', 'errors',
              'target_met', 'environment'}
ENVIRONMENT_FIELDS = {'cpu_count', 'python', 'machine', 'loadavg_at_start', 'bcrypt_cost',
                      'api_workers', 'api_threads_per_worker', 'identity_conf',
                      'bcrypt_checkpw_ms_here'}


def run_benchmark(*args, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    return subprocess.run([sys.executable, SCRIPT, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def parse_single_json_line(completed):
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert len(lines) == 1, f'stdout must be one JSON line, got: {completed.stdout!r}'
    return json.loads(lines[0])


def test_benchmark_prints_every_field_and_no_errors(identity, tmp_path):
    completed = run_benchmark(
        '--auth-url', f'{identity.url}/v3', '--username', 'admin',
        '--password', servers.ADMIN_PASSWORD, '--project', 'admin',
        '--requests', '6', '--concurrency', '1,8', '--identity-conf', identity.conf_path,
        cwd=str(tmp_path))
    result = parse_single_json_line(completed)

    assert TOP_FIELDS <= set(result)
    assert result['benchmark'] == 'identity_tokens'
    assert result['target_url'] == identity.url
    assert result['identity_version'].startswith('v3')
    assert result['mode'] == {'issue_requests': 6, 'validate_requests': 6, 'duration_s': None}
    for operation in ('issue', 'validate'):
        assert set(result[operation]) == {'c1', 'c8'}
        for key, concurrency in (('c1', 1), ('c8', 8)):
            phase = result[operation][key]
            assert PHASE_FIELDS <= set(phase), (operation, key)
            assert phase['concurrency'] == concurrency
            assert phase['requests'] == 6
            assert phase['errors'] == 0, phase['first_error']
            assert phase['first_error'] is None
            assert phase['rate_per_s'] > 0
            assert 0 < phase['p50_ms'] <= phase['p99_ms']
    assert set(result['validate_to_issue_ratio']) == {'c1', 'c8'}
    assert all(r > 0 for r in result['validate_to_issue_ratio'].values())
    assert result['errors'] == 0
    assert isinstance(result['target_met'], bool)
    assert result['criteria'] == {'min_validate_to_issue_ratio': 3.0, 'max_errors': 0}

    environment = result['environment']
    assert ENVIRONMENT_FIELDS <= set(environment)
    assert environment['bcrypt_cost'] == 4  # IdentityServer's password_hash_rounds
    assert environment['api_workers'] == 2
    assert environment['cpu_count'] == os.cpu_count()
    assert environment['bcrypt_checkpw_ms_here'] > 0
    # Progress goes to stderr, never into the JSON line.
    assert 'issue at concurrency 1' in completed.stderr


def test_benchmark_reads_a_cloud_from_clouds_yaml(identity, tmp_path):
    clouds = tmp_path / 'clouds.yaml'
    clouds.write_text(yaml.safe_dump({'clouds': {'bench': {'auth': {
        'auth_url': f'{identity.url}/v3', 'username': 'admin',
        'password': servers.ADMIN_PASSWORD, 'project_name': 'admin',
        'user_domain_name': 'Default', 'project_domain_name': 'Default'}}}}))
    completed = run_benchmark('--cloud', 'bench', '--clouds-file', str(clouds),
                              '--concurrency', '2', '--issue-requests', '3',
                              '--validate-requests', '5', cwd=str(tmp_path))
    result = parse_single_json_line(completed)
    assert result['target_url'] == identity.url
    assert result['issue']['c2']['requests'] == 3
    assert result['validate']['c2']['requests'] == 5
    assert result['errors'] == 0
    # No identity.conf belongs to this server's port: the facts are unknown, not guessed.
    assert ENVIRONMENT_FIELDS <= set(result['environment'])
    assert result['environment']['bcrypt_cost'] is None
    assert result['environment']['bcrypt_checkpw_ms_here'] is None


def test_benchmark_fails_clearly_on_bad_credentials(identity, tmp_path):
    completed = run_benchmark('--auth-url', f'{identity.url}/v3', '--username', 'admin',
                              '--password', 'wrong', '--project', 'admin', '--requests', '1',
                              cwd=str(tmp_path))
    assert completed.returncode != 0
    assert completed.stdout == ''
    assert 'cannot authenticate' in completed.stderr
