"""benchmarks/harness.py: the load generator and statistics every benchmark shares."""
import json

import pytest

from benchmarks import harness


def test_percentile_interpolates_between_samples():
    assert harness.percentile([], 0.5) is None
    assert harness.percentile([7], 0.99) == 7
    assert harness.percentile([4, 1, 3, 2], 0.5) == 2.5
    assert harness.percentile(list(range(1, 101)), 0.99) == pytest.approx(99.01)
    assert harness.percentile([1, 2, 3], 1.0) == 3


def test_run_load_with_a_request_count_counts_errors_and_keeps_outputs():
    def op(n):
        if n % 5 == 0:
            raise ValueError(f'bad {n}')
        return n

    def make_worker(index):
        return op

    result = harness.run_load(make_worker, 4, requests=20)
    summary = result.summary()

    assert summary['requests'] == 20
    assert summary['errors'] == 4
    assert summary['first_error'].startswith('ValueError: bad ')
    assert sorted(result.outputs) == [n for n in range(20) if n % 5]
    assert summary['concurrency'] == 4
    assert summary['rate_per_s'] > 0
    assert summary['p50_ms'] <= summary['p99_ms']


def test_run_load_with_a_duration_stops_in_time():
    result = harness.run_load(lambda index: (lambda n: index), 3, duration=0.2)
    assert 0.2 <= result.elapsed < 2
    assert set(result.outputs) == {0, 1, 2}
    assert result.errors == 0


def test_run_load_reports_a_worker_that_cannot_start():
    def make_worker(index):
        if index == 1:
            raise ConnectionError('no server')
        return lambda n: n

    with pytest.raises(RuntimeError, match='no server'):
        harness.run_load(make_worker, 2, requests=3)


def test_emit_prints_one_json_line(capsys):
    harness.emit({'benchmark': 'x', 'value': 1.5})
    out = capsys.readouterr().out
    assert out.count('\n') == 1
    assert json.loads(out) == {'benchmark': 'x', 'value': 1.5}


def test_service_root_strips_the_version():
    assert harness.service_root('http://h:5000/v3') == 'http://h:5000'
    assert harness.service_root('http://h:5000/v3/') == 'http://h:5000'
    assert harness.service_root('http://h/identity/v3') == 'http://h/identity'
    assert harness.service_root('http://h:5000') == 'http://h:5000'
    assert harness.service_root('http://h:8774/v2.1') == 'http://h:8774'
