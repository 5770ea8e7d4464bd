"""Seeding a cloud (``identity/bootstrap.py``): idempotent, and resets the password."""
import sqlalchemy as sa

from identity import bootstrap
from identity.db import models as m
from tests.unit.identity import factories as f
from tests.unit.identity.fixtures import ADMIN_PASSWORD, PUBLIC_URL

TOKENS = '/v3/auth/tokens'


def _counts(env):
    with env.backend.reader() as session:
        return {model.__tablename__: session.execute(
            sa.select(sa.func.count()).select_from(model)).scalar_one()
            for model in (m.Domain, m.Project, m.User, m.Role, m.ImpliedRole, m.Assignment,
                          m.Region, m.Service, m.Endpoint)}


def _run(env, **kwargs):
    kwargs.setdefault('username', 'admin')
    kwargs.setdefault('password', ADMIN_PASSWORD)
    kwargs.setdefault('public_url', PUBLIC_URL)
    with env.backend.writer() as session:
        bootstrap.bootstrap(session, env.backend, bootstrap.BootstrapRequest(**kwargs))


def _login(env, password):
    return env.api.post(TOKENS, json=f.password_auth('admin', password, scope={
        'project': {'name': 'admin', 'domain': {'id': 'default'}}}))


def test_first_run_seeds_the_cloud(fresh_env):
    counts = _counts(fresh_env)
    assert counts == {'domains': 1, 'projects': 1, 'users': 1, 'roles': 4, 'implied_roles': 2,
                      'assignments': 2, 'regions': 1, 'services': 1, 'endpoints': 1}
    response = _login(fresh_env, ADMIN_PASSWORD)
    assert response.status_code == 201
    token = response.json['token']
    assert token['is_admin_project'] is True
    assert sorted(r['name'] for r in token['roles']) == ['admin', 'member', 'reader']
    (identity,) = token['catalog']
    assert identity['type'] == 'identity' and identity['name'] == 'keystone'
    assert identity['endpoints'][0]['url'] == PUBLIC_URL
    system = fresh_env.api.post(TOKENS, json=f.password_auth('admin', ADMIN_PASSWORD, scope={
        'system': {'all': True}}))
    assert system.status_code == 201


def test_second_run_changes_nothing(fresh_env):
    before = _counts(fresh_env)
    token = _login(fresh_env, ADMIN_PASSWORD).headers['X-Subject-Token']
    _run(fresh_env)
    assert _counts(fresh_env) == before
    assert fresh_env.notifier.sent == []
    # The admin's tokens survive: nothing about them changed.
    assert fresh_env.api.get(TOKENS, token=token,
                             headers={'X-Subject-Token': token}).status_code == 200


def test_second_run_with_another_password_resets_it(fresh_env):
    old_token = _login(fresh_env, ADMIN_PASSWORD).headers['X-Subject-Token']
    _run(fresh_env, password='a brand new password')
    assert _login(fresh_env, ADMIN_PASSWORD).status_code == 401
    assert _login(fresh_env, 'a brand new password').status_code == 201
    new_token = _login(fresh_env, 'a brand new password').headers['X-Subject-Token']
    assert fresh_env.api.get(TOKENS, token=new_token,
                             headers={'X-Subject-Token': old_token}).status_code == 404


def test_second_run_enables_a_disabled_admin(fresh_env):
    with fresh_env.backend.writer() as session:
        fresh_env.backend.users.update_user(session, fresh_env.admin.id, {'enabled': False})
    assert _login(fresh_env, ADMIN_PASSWORD).status_code == 401
    _run(fresh_env)
    assert _login(fresh_env, ADMIN_PASSWORD).status_code == 201


def test_second_run_moves_the_endpoint(fresh_env):
    _run(fresh_env, public_url='http://new-host:5000/v3', internal_url='http://internal:5000/v3')
    catalog = _login(fresh_env, ADMIN_PASSWORD).json['token']['catalog']
    urls = {e['interface']: e['url'] for e in catalog[0]['endpoints']}
    assert urls == {'public': 'http://new-host:5000/v3', 'internal': 'http://internal:5000/v3'}
    assert _counts(fresh_env)['services'] == 1


def test_restores_implications_and_grants_removed_since(fresh_env):
    api, admin = fresh_env.api, fresh_env.admin_token()
    roles = fresh_env.roles
    api.delete(f"/v3/roles/{roles['member'].id}/implies/{roles['reader'].id}", token=admin)
    api.delete(f"/v3/system/users/{fresh_env.admin.id}/roles/{roles['admin'].id}", token=admin)
    _run(fresh_env)
    counts = _counts(fresh_env)
    assert (counts['implied_roles'], counts['assignments']) == (2, 2)


def test_ensure_user(fresh_env):
    for _ in range(2):
        with fresh_env.backend.writer() as session:
            bootstrap.ensure_user(session, fresh_env.backend, name='tempest', password='pw',
                                  project_name='tempest-project', role_names=['member', 'foo'])
    counts = _counts(fresh_env)
    assert (counts['users'], counts['projects'], counts['roles']) == (2, 2, 5)
    response = fresh_env.api.post(TOKENS, json=f.password_auth('tempest', 'pw', scope={
        'project': {'name': 'tempest-project', 'domain': {'name': 'Default'}}}))
    assert sorted(r['name'] for r in response.json['token']['roles']) == \
        ['foo', 'member', 'reader']


def test_ensure_user_in_a_new_domain(fresh_env):
    with fresh_env.backend.writer() as session:
        bootstrap.ensure_user(session, fresh_env.backend, name='alt', password='pw',
                              project_name='alt-project', role_names=['reader'],
                              domain_name='Alt')
    response = fresh_env.api.post(TOKENS, json=f.password_auth('alt', 'pw', domain_name='Alt'))
    assert response.status_code == 201
    assert response.json['token']['project']['domain']['name'] == 'Alt'
