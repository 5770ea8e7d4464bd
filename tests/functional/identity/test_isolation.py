"""Tenant isolation through the real server (reliability_anchors §1.3, S4).

A member of project A, and even an admin *of project A*, can neither read
nor change project B, its users or its grants; a domain admin manages only
their own domain, and every list they get is narrowed to it.
"""
import pytest

from tests import servers


def forbidden(response):
    # Keystone answers 403 for "not yours"; 404 would be acceptable too.
    assert response.status_code in (403, 404), response.text
    assert response.json()['error']['code'] == response.status_code


@pytest.fixture
def two_tenants(make_account):
    member_a = make_account(roles=('member',))
    member_b = make_account(roles=('member',))
    admin_a = make_account(roles=('admin',), project_id=member_a.project_id)
    return member_a, member_b, admin_a


def test_member_cannot_touch_another_project(two_tenants, role_ids, admin):
    member_a, member_b, admin_a = two_tenants
    project_b = f'/v3/projects/{member_b.project_id}'
    for actor in (member_a, admin_a):
        client = actor.client
        assert client.get(f'/v3/projects/{member_a.project_id}').status_code == 200
        forbidden(client.get(project_b))
        forbidden(client.patch(project_b, json={'project': {'description': 'mine now'}}))
        forbidden(client.delete(project_b))
        forbidden(client.get(f'/v3/users/{member_b.user_id}'))
        forbidden(client.patch(f'/v3/users/{member_b.user_id}',
                               json={'user': {'enabled': False}}))
        forbidden(client.delete(f'/v3/users/{member_b.user_id}'))
        forbidden(client.post(f'/v3/users/{member_b.user_id}/password', json={'user': {
            'original_password': member_b.password, 'password': 'stolen'}}))
        forbidden(client.get(f'/v3/users/{member_b.user_id}/application_credentials'))
        forbidden(client.get(f'/v3/users/{member_b.user_id}/projects'))
        # Grants on B, or from B's user, or onto B for oneself.
        forbidden(client.get(f'{project_b}/users/{member_b.user_id}/roles'))
        forbidden(client.put(f'{project_b}/users/{actor.user_id}/roles/{role_ids["member"]}'))
        forbidden(client.delete(f'{project_b}/users/{member_b.user_id}/roles/'
                                f'{role_ids["member"]}'))
        forbidden(client.get('/v3/role_assignments',
                             params={'scope.project.id': member_b.project_id}))
        forbidden(client.get('/v3/role_assignments', params={'user.id': member_b.user_id}))
        forbidden(client.delete('/v3/auth/tokens', headers={'X-Subject-Token': member_b.token}))
        # Creating users or escalating to the cloud's admin project.
        forbidden(client.post('/v3/users', json={'user': {'name': servers.unique_name('u')}}))
        admin_project = admin.get('/v3/projects', params={'name': 'admin'}).json()['projects'][0]
        forbidden(client.put(f"/v3/projects/{admin_project['id']}/users/{actor.user_id}"
                             f"/roles/{role_ids['admin']}"))
        forbidden(client.put(f"/v3/system/users/{actor.user_id}/roles/{role_ids['admin']}"))

    # A project admin does not administer the project's grants either (no
    # domain scope): only cloud and domain admins grant roles.
    forbidden(admin_a.client.put(f'/v3/projects/{member_a.project_id}/users/'
                                 f'{member_b.user_id}/roles/{role_ids["member"]}'))

    # Nothing changed for B.
    b_token = admin.get('/v3/auth/tokens', headers={'X-Subject-Token': member_b.token})
    assert b_token.status_code == 200
    assert admin.get(project_b).json()['project']['description'] == ''


def test_lists_are_narrowed_to_ones_own(two_tenants):
    member_a, member_b, _ = two_tenants
    client = member_a.client
    mine = client.get('/v3/auth/projects').json()['projects']
    assert [p['id'] for p in mine] == [member_a.project_id]
    mine = client.get(f'/v3/users/{member_a.user_id}/projects').json()['projects']
    assert [p['id'] for p in mine] == [member_a.project_id]
    own = client.get('/v3/role_assignments', params={'user.id': member_a.user_id})
    assert own.status_code == 200
    assert {a['scope']['project']['id'] for a in own.json()['role_assignments']} == \
        {member_a.project_id}
    assert client.get('/v3/role_assignments', params={
        'user.id': member_a.user_id, 'scope.project.id': member_b.project_id,
    }).json()['role_assignments'] == []
    # Listing everything is for readers of a domain or of the cloud.
    for path in ('/v3/projects', '/v3/users', '/v3/groups', '/v3/domains'):
        forbidden(client.get(path))


def test_domain_admin_is_confined_to_their_domain(admin, role_ids, make_account):
    domains = []
    for _ in range(2):
        response = admin.post('/v3/domains', json={'domain': {
            'name': servers.unique_name('domain')}})
        assert response.status_code == 201, response.text
        domains.append(response.json()['domain']['id'])
    d1, d2 = domains
    boss = make_account(roles=('admin',), domain_id=d1, scope='domain')
    in_d1 = make_account(roles=('member',), domain_id=d1)
    in_d2 = make_account(roles=('member',), domain_id=d2)
    client = boss.client

    # Lists show only the domain's own objects, whatever the filter asks.
    projects = client.get('/v3/projects').json()['projects']
    assert {p['domain_id'] for p in projects} == {d1}
    assert in_d1.project_id in [p['id'] for p in projects]
    users = client.get('/v3/users').json()['users']
    assert {u['domain_id'] for u in users} == {d1}
    assert {boss.user_id, in_d1.user_id} <= {u['id'] for u in users}
    sneaky = client.get('/v3/projects', params={'domain_id': d2})
    if sneaky.status_code == 200:
        assert {p['domain_id'] for p in sneaky.json()['projects']} <= {d1}
    else:
        forbidden(sneaky)
    assignments = client.get('/v3/role_assignments').json()['role_assignments']
    assert in_d1.user_id in {a['user']['id'] for a in assignments}
    assert in_d2.user_id not in {a['user']['id'] for a in assignments}

    # Inside the domain the admin manages users, projects and grants.
    created = client.post('/v3/users', json={'user': {'name': servers.unique_name('u')}})
    assert created.status_code == 201, created.text
    assert created.json()['user']['domain_id'] == d1
    grant = (f'/v3/projects/{in_d1.project_id}/users/{created.json()["user"]["id"]}'
             f'/roles/{role_ids["member"]}')
    assert client.put(grant).status_code == 204

    # Outside it, nothing.
    forbidden(client.get(f'/v3/projects/{in_d2.project_id}'))
    forbidden(client.patch(f'/v3/projects/{in_d2.project_id}',
                           json={'project': {'enabled': False}}))
    forbidden(client.get(f'/v3/users/{in_d2.user_id}'))
    forbidden(client.patch(f'/v3/users/{in_d2.user_id}', json={'user': {'enabled': False}}))
    forbidden(client.post('/v3/users', json={'user': {'name': servers.unique_name('u'),
                                                      'domain_id': d2}}))
    forbidden(client.post('/v3/projects', json={'project': {
        'name': servers.unique_name('p'), 'domain_id': d2}}))
    forbidden(client.put(f'/v3/projects/{in_d2.project_id}/users/{boss.user_id}'
                         f'/roles/{role_ids["admin"]}'))
    # Not even by bringing a foreign user into one's own project.
    forbidden(client.put(f'/v3/projects/{in_d1.project_id}/users/{in_d2.user_id}'
                         f'/roles/{role_ids["member"]}'))
    forbidden(client.get(f'/v3/domains/{d2}'))
    forbidden(client.patch(f'/v3/domains/{d1}', json={'domain': {'enabled': False}}))
    assert admin.get(f'/v3/projects/{in_d2.project_id}').json()['project']['enabled'] is True
