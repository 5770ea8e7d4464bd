"""Racing requests against one server: exactly one winner, never a 500.

Two gunicorn workers with several threads each serve the requests, so the
races are real transactions racing in the database — which is where
MariaDB and PostgreSQL (row locks, unique indexes) differ from SQLite
(one writer at a time).
"""
import collections
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests import servers

PARALLEL = 16


def in_parallel(identity, token, calls):
    """Run ``calls`` (``(method, path, json)``) at once; their responses, in order."""
    local = threading.local()
    barrier = threading.Barrier(min(PARALLEL, len(calls)))

    def run(call):
        if not hasattr(local, 'client'):
            local.client = servers.ApiClient(identity.url, token)
            barrier.wait(timeout=60)  # start together, not one after the other
        method, path, body = call
        return local.client.request(method, path, json=body)

    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(run, calls))


def no_server_errors(responses):
    errors = [(r.status_code, r.text) for r in responses if r.status_code >= 500]
    assert not errors, errors


@pytest.mark.parametrize('collection, key', [
    ('projects', 'project'), ('users', 'user'), ('groups', 'group'), ('roles', 'role'),
])
def test_parallel_creates_of_one_name(identity, admin, collection, key):
    name = servers.unique_name('race')
    responses = in_parallel(identity, admin.token,
                            [('POST', f'/v3/{collection}', {key: {'name': name}})] * 32)
    no_server_errors(responses)
    statuses = collections.Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: 31}, statuses
    for loser in (r for r in responses if r.status_code == 409):
        assert loser.json()['error']['code'] == 409
    winner = next(r for r in responses if r.status_code == 201).json()[key]
    # Exactly one row, whole and readable.
    listed = admin.get(f'/v3/{collection}', params={'name': name}).json()[collection]
    assert [item['id'] for item in listed] == [winner['id']]
    assert admin.get(f"/v3/{collection}/{winner['id']}").json()[key] == winner


def test_parallel_grants_revokes_and_memberships(identity, admin, role_ids, make_account):
    account = make_account(roles=('member',))
    grant = (f'/v3/projects/{account.project_id}/users/{account.user_id}'
             f'/roles/{role_ids["reader"]}')
    group = admin.post('/v3/groups', json={'group': {'name': servers.unique_name('g')}})
    membership = f"/v3/groups/{group.json()['group']['id']}/users/{account.user_id}"

    # The same idempotent PUT many times at once: every one succeeds.
    same = in_parallel(identity, admin.token,
                       [('PUT', grant, None)] * 16 + [('PUT', membership, None)] * 16)
    no_server_errors(same)
    assert collections.Counter(r.status_code for r in same) == {204: 32}
    assert admin.head(grant).status_code == 204
    assert admin.head(membership).status_code == 204

    # Grants and revokes interleaved: each answer is a success or "already gone".
    mixed = in_parallel(identity, admin.token,
                        [('PUT' if i % 2 else 'DELETE', grant, None) for i in range(40)])
    no_server_errors(mixed)
    assert set(r.status_code for r in mixed) <= {204, 404}, [r.text for r in mixed]
    removals = in_parallel(identity, admin.token,
                           [('DELETE', grant, None)] * 8 + [('DELETE', membership, None)] * 8)
    no_server_errors(removals)
    assert set(r.status_code for r in removals) <= {204, 404}
    assert admin.head(grant).status_code == 404
    assert admin.head(membership).status_code == 404
    # The state is whole afterwards: a grant can be made and seen again.
    assert admin.put(grant).status_code == 204
    assignments = admin.get('/v3/role_assignments', params={
        'user.id': account.user_id, 'scope.project.id': account.project_id}).json()
    assert sorted(a['role']['id'] for a in assignments['role_assignments']) == \
        sorted([role_ids['member'], role_ids['reader']])


def test_token_validation_under_load_while_grants_change(identity, admin, role_ids,
                                                         make_account):
    steady = [make_account(roles=('member',)) for _ in range(3)]
    churned = make_account(roles=('member',))
    grant = (f'/v3/projects/{churned.project_id}/users/{churned.user_id}'
             f'/roles/{role_ids["service"]}')
    stop = threading.Event()
    writes = []

    def churn():
        client = servers.ApiClient(identity.url, admin.token)
        while not stop.is_set():
            writes.append(client.put(grant).status_code)
            writes.append(client.delete(grant).status_code)
            project = client.post('/v3/projects', json={'project': {
                'name': servers.unique_name('churn')}})
            writes.append(project.status_code)
            writes.append(client.delete(f"/v3/projects/{project.json()['project']['id']}")
                          .status_code)

    writer = threading.Thread(target=churn)
    writer.start()
    try:
        calls = [('GET', '/v3/auth/tokens', steady[i % len(steady)].token)
                 for i in range(240)]
        local = threading.local()

        def validate(call):
            if not hasattr(local, 'client'):
                local.client = servers.ApiClient(identity.url, admin.token)
            method, path, token = call
            return local.client.request(method, path, headers={'X-Subject-Token': token})

        with ThreadPoolExecutor(PARALLEL) as pool:
            responses = list(pool.map(validate, calls))
    finally:
        stop.set()
        writer.join(60)
    no_server_errors(responses)
    assert collections.Counter(r.status_code for r in responses) == {200: len(calls)}
    assert writes and set(writes) <= {201, 204}, collections.Counter(writes)
    # The churned user's token was revoked by the first revoke, as it must be.
    assert admin.get('/v3/auth/tokens',
                     headers={'X-Subject-Token': churned.token}).status_code == 404
