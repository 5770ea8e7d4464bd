"""Quota under concurrent creates: a project never goes over its limit.

Runs on each database backend (the ``network`` fixture follows the
session's ``database_backend``): with a network quota of 5, 20 networks
created at once give exactly 5 × 201 and 15 × 409 ``OverQuota``, never a
500, and the database holds exactly 5 networks of the project.
"""
import concurrent.futures

import sqlalchemy as sa

LIMIT = 5
ATTEMPTS = 20


def _stored_networks(network, project_id):
    engine = sa.create_engine(network.database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(
                'SELECT count(*) FROM networks WHERE project_id = :p'),
                {'p': project_id}).scalar_one()
    finally:
        engine.dispose()


def test_parallel_creates_stop_exactly_at_the_quota(network, admin, project):
    set_quota = network.client(admin.token).put(
        f'/v2.0/quotas/{project.project_id}', json={'quota': {'network': LIMIT}})
    assert set_quota.status_code == 200, set_quota.text
    client = network.client(project.token)
    body = {'network': {'name': 'quota-race'}}
    with concurrent.futures.ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        responses = list(pool.map(lambda _: client.post('/v2.0/networks', json=body),
                                  range(ATTEMPTS)))
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * LIMIT + [409] * (ATTEMPTS - LIMIT), \
        [r.text for r in responses if r.status_code not in (201, 409)][:3]
    failures = {r.json()['NeutronError']['type'] for r in responses if r.status_code == 409}
    assert failures == {'OverQuota'}
    assert _stored_networks(network, project.project_id) == LIMIT
