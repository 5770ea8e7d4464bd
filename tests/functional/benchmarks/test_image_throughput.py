"""benchmarks/image_throughput.py runs against a real image API and prints its JSON line.

A few MiB only: this checks that the benchmark works end to end (the
upload verified by its sha512, the download by its length, the image and
the baseline files removed afterwards), not how fast anything is (no
timing assertions: these machines are shared).
"""
import json
import os
import subprocess
import sys

from tests import servers

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
SCRIPT = os.path.join(REPO, 'benchmarks', 'image_throughput.py')
TOP_FIELDS = {'benchmark', 'timestamp', 'target_url', 'user', 'project', 'size_bytes',
              'repetitions', 'block_bytes', 'upload_ratio', 'download_ratio', 'target_met',
              'criteria', 'upload', 'download', 'download_cached', 'hashing', 'baseline_dir',
              'store_path', 'same_filesystem_as_store', 'verified', 'environment'}
SUMMARY_FIELDS = {'api_mib_s', 'baseline_mib_s', 'ratio', 'runs', 'baseline'}
RUN_FIELDS = {'api_s', 'api_mib_s', 'baseline_s', 'baseline_mib_s', 'ratio'}
MiB = 1024 * 1024


def run_benchmark(*args, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    return subprocess.run([sys.executable, SCRIPT, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def credentials(identity, password=servers.ADMIN_PASSWORD):
    return ['--auth-url', f'{identity.url}/v3', '--username', 'admin', '--password', password,
            '--project', 'admin']


def bench_images(image, admin):
    listed = image.client(admin.token).get('/v2/images', params={'limit': 1000}).json()
    return [i for i in listed['images'] if i['name'].startswith('bench-image-throughput-')]


def test_benchmark_prints_every_field_and_cleans_up(identity, image, admin, tmp_path):
    completed = run_benchmark(*credentials(identity), '--image-url', image.url,
                              '--store-path', image.store_path, '--work-dir', str(tmp_path),
                              '--size-mib', '4', '--repetitions', '2', cwd=str(tmp_path))
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert len(lines) == 1, f'stdout must be one JSON line, got: {completed.stdout!r}'
    result = json.loads(lines[0])

    assert TOP_FIELDS <= set(result)
    assert result['benchmark'] == 'image_throughput'
    assert result['target_url'] == image.url
    assert (result['size_bytes'], result['repetitions'], result['block_bytes']) == \
        (4 * MiB, 2, MiB)
    for kind in ('upload', 'download', 'download_cached'):
        summary = result[kind]
        assert SUMMARY_FIELDS <= set(summary), kind
        assert len(summary['runs']) == 2
        for run in summary['runs']:
            assert RUN_FIELDS <= set(run), (kind, run)
            assert run['api_s'] > 0 and run['baseline_s'] > 0
            assert run['ratio'] > 0
        assert summary['ratio'] > 0 and summary['api_mib_s'] > 0
    assert result['upload_ratio'] == result['upload']['ratio']
    assert result['download_ratio'] == result['download']['ratio']
    assert 'fsync' in result['upload']['baseline']
    assert '/dev/null' in result['download']['baseline']
    # The store is on this machine: the download is measured from the disk.
    assert result['download']['page_cache'] == 'evicted before each read'
    assert result['store_path'] == image.store_path
    assert result['same_filesystem_as_store'] is True
    assert result['criteria']['min_ratio'] == 0.7
    assert isinstance(result['target_met'], bool)
    assert result['target_met'] == (result['upload_ratio'] >= 0.7
                                    and result['download_ratio'] >= 0.7)
    assert result['hashing']['mib_s'] > 0
    assert result['verified'] == {'upload_sha512': True, 'download_bytes': True}
    assert result['environment']['cpu_count'] == os.cpu_count()
    # Progress goes to stderr, never into the JSON line.
    assert 'run 1:' in completed.stderr

    # Nothing is left behind: no image, no data in the store, no baseline files.
    assert bench_images(image, admin) == []
    assert [n for n in os.listdir(tmp_path) if n.startswith('.stratus-image-bench-')] == []


def test_benchmark_fails_clearly_on_bad_credentials(identity, image, tmp_path):
    completed = run_benchmark(*credentials(identity, password='wrong'), '--image-url',
                              image.url, '--size-mib', '1', '--repetitions', '1',
                              cwd=str(tmp_path))
    assert completed.returncode != 0
    assert completed.stdout == ''
    assert 'cannot authenticate' in completed.stderr


def test_benchmark_fails_clearly_when_uploads_fail(identity, image, admin, make_account,
                                                   tmp_path):
    # A project whose byte quota is too small: the upload is refused, nothing leaks.
    account = make_account()
    image.manage('quota-set', '--project', account.project_id, '--image-size-total',
                 str(MiB))
    completed = run_benchmark('--auth-url', f'{identity.url}/v3', '--username', account.name,
                              '--password', account.password, '--project',
                              account.project_name, '--image-url', image.url, '--work-dir',
                              str(tmp_path), '--size-mib', '2', '--repetitions', '1',
                              cwd=str(tmp_path))
    assert completed.returncode != 0
    assert completed.stdout == ''
    assert 'the benchmark failed' in completed.stderr and '413' in completed.stderr
    mine = image.client(account.token).get('/v2/images').json()['images']
    assert mine == []
    assert [n for n in os.listdir(tmp_path) if n.startswith('.stratus-image-bench-')] == []
