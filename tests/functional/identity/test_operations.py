"""What an operator sees of the running API: health, metrics, request ids, logs."""
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests import servers

REQUEST_ID = re.compile(r'^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
ACCESS_LINE = re.compile(
    r'^\S+ \S+ (?P<pid>\d+) INFO stratus\.identity\.access '
    r'\[(?P<request_id>\S+) (?P<global_id>\S+)\] (?P<method>[A-Z]+) (?P<path>\S+) '
    r'status=(?P<status>\d+) len=(?P<len>\d+) time=(?P<time>[0-9.]+) '
    r'user=(?P<user>\S+) project=(?P<project>\S+)$')


def access_lines(identity):
    """``{request id: match}`` of the access-log lines written so far."""
    with open(identity.log_path) as log:
        matches = (ACCESS_LINE.match(line.rstrip('\n')) for line in log)
        return {m['request_id']: m for m in matches if m}


def wait_for_access_lines(identity, request_ids, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        lines = access_lines(identity)
        if set(request_ids) <= set(lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


def healthz_counts(identity):
    """The /healthz request counter and latency count, as one /metrics answer adds them up."""
    response = requests.get(f'{identity.url}/metrics', timeout=30,
                            headers={'Connection': 'close'})
    assert response.status_code == 200
    assert response.headers['Content-Type'].startswith('text/plain')
    counts = {'requests': 0.0, 'observations': 0.0}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.labels.get('route') != '/healthz':
                continue
            if sample.name == 'stratus_http_requests_total' and sample.labels['status'] == '200':
                counts['requests'] += sample.value
            elif sample.name == 'stratus_http_request_duration_seconds_count':
                counts['observations'] += sample.value
    return counts


def test_healthz_is_public_and_ok(identity):
    response = identity.anonymous().get('/healthz')
    assert response.status_code == 200
    assert response.json() == {'status': 'ok'}


def test_metrics_add_up_every_worker(identity):
    before = healthz_counts(identity)
    request_ids, answered_by = [], set()

    def probe(_):
        # A fresh connection each time, so that any worker may take it.
        response = requests.get(f'{identity.url}/healthz', timeout=30,
                                headers={'Connection': 'close'})
        assert response.status_code == 200
        return response.headers['X-Openstack-Request-Id']

    with ThreadPoolExecutor(8) as pool:
        for _ in range(20):
            request_ids += pool.map(probe, range(16))
            lines = wait_for_access_lines(identity, request_ids)
            answered_by = {lines[r]['pid'] for r in request_ids}
            if len(answered_by) > 1:
                break
    assert len(answered_by) > 1, 'one worker answered every request: nothing to add up'

    # Whichever worker answers /metrics (fresh connections), it counts the
    # requests of all of them.
    for _ in range(6):
        after = healthz_counts(identity)
        assert after['requests'] == before['requests'] + len(request_ids)
        assert after['observations'] == before['observations'] + len(request_ids)


def test_every_response_carries_a_request_id(identity, admin):
    anonymous = identity.anonymous()
    project = admin.post('/v3/projects', json={'project': {'name': servers.unique_name('p')}})
    responses = {
        'version list (300)': anonymous.get('/'),
        'version (200)': anonymous.get('/v3'),
        'created (201)': project,
        'deleted (204)': admin.delete(f"/v3/projects/{project.json()['project']['id']}"),
        'check (HEAD 200)': admin.head('/v3/auth/tokens',
                                       headers={'X-Subject-Token': admin.token}),
        'bad request (400)': admin.post('/v3/projects', json={'project': {}}),
        'no token (401)': anonymous.get('/v3/projects'),
        'bad login (401)': anonymous.post('/v3/auth/tokens',
                                          json=servers.password_auth('admin', 'wrong')),
        'not found (404)': admin.get('/v3/projects/nope'),
        'no route (404)': anonymous.get('/no/such/route'),
        'wrong method (405)': admin.put('/v3/projects', json={}),
        'conflict (409)': admin.post('/v3/roles', json={'role': {'name': 'admin'}}),
        'healthz': anonymous.get('/healthz'),
        'metrics': anonymous.get('/metrics'),
    }
    ids = {}
    for what, response in responses.items():
        request_id = response.headers.get('X-Openstack-Request-Id', '')
        assert REQUEST_ID.match(request_id), f'{what}: {request_id!r}'
        ids[request_id] = what
    assert len(ids) == len(responses)  # one id per request


def test_access_log_line_has_request_id_status_and_time(identity, admin):
    global_id = f'req-{uuid.uuid4()}'
    ok = admin.get('/v3/auth/projects', headers={'X-Openstack-Request-Id': global_id})
    missing = admin.get('/v3/users/nope')
    refused = identity.anonymous().get('/v3/users')
    ids = [r.headers['X-Openstack-Request-Id'] for r in (ok, missing, refused)]
    # The caller's id is the global one; the server makes its own.
    assert global_id not in ids
    lines = wait_for_access_lines(identity, ids)
    assert set(ids) <= set(lines), identity.log_tail()

    line = lines[ids[0]]
    assert (line['method'], line['path'], line['status']) == ('GET', '/v3/auth/projects', '200')
    assert line['global_id'] == global_id
    assert float(line['time']) >= 0 and int(line['len']) > 0
    token = admin.get('/v3/auth/tokens', headers={'X-Subject-Token': admin.token}).json()
    assert line['user'] == token['token']['user']['id']
    assert line['project'] == token['token']['project']['id']
    assert (lines[ids[1]]['path'], lines[ids[1]]['status']) == ('/v3/users/nope', '404')
    assert (lines[ids[2]]['status'], lines[ids[2]]['user'], lines[ids[2]]['global_id']) == \
        ('401', '-', '-')


def test_server_logged_no_errors(identity):
    """Whatever ran against this server so far, it never failed unexpectedly (no 5xx)."""
    with open(identity.log_path) as log:
        errors = [line for line in log if ' ERROR ' in line or ' CRITICAL ' in line]
    assert not errors, ''.join(errors[:20])
