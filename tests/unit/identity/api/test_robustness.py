"""No request, however malformed, gets a 500 (anchor target S3, at unit scale).

Every route of the identity API is called, as a cloud admin, with every
method it has and a set of malformed bodies and query strings; each
answer must be a 2xx, 3xx or 4xx with a Keystone error body, never a 5xx.
"""
import json
import re

import pytest

from tests.unit.identity import factories as f

BODIES = [None, 'null', '[]', '{}', '{"key": null}', '{"key": []}', '{"key": 1e400}',
          '{"key": {"name": {"nested": true}, "id": 7, "domain_id": [], "enabled": "yes", '
          '"password": 5, "tags": "a", "parent_id": {}, "roles": [{}], "expires_at": 3, '
          '"interface": 1, "url": null, "type": []}}',
          r'{"key": {"name": "lone \ud800 surrogate", "type": "t\ud800"}}',
          r'{"key": {"name": "nul \u0000 byte", "type": "t\u0000"}}',
          '{"key": {"name": "' + 'x' * 300 + '", "description": "' + 'x' * 70000 + '"}}',
          '{"key": {"name": "ok", "extra": {"deep": ' + '[' * 200 + ']' * 200 + '}}}',
          b'{"\xff\xfe": 1}']
QUERIES = ['?limit=-5&marker=nope', '?limit=abc&enabled=maybe', '?name=%00%ff&tags=,,,',
           '?effective=nope&include_names=2&scope.system=x',
           '?nocatalog=x&allow_expired=perhaps']


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ('static',):
            continue
        for method in sorted(rule.methods - {'OPTIONS'}):
            yield rule, method


@pytest.fixture(scope='module')
def targets(env):
    user = f.make_user(env.backend)
    project = f.make_project(env.backend)
    f.grant(env.backend, 'member', user=user, project=project)
    group = f.make_group(env.backend, members=[user])
    credential, _ = f.make_application_credential(env.backend, user, project)
    return {'user_id': user.id, 'project_id': project.id, 'group_id': group.id,
            'domain_id': 'default', 'role_id': env.roles['reader'].id,
            'prior_role_id': env.roles['admin'].id, 'implied_role_id': env.roles['member'].id,
            'region_id': 'RegionOne', 'service_id': 'does-not-exist',
            'endpoint_id': 'does-not-exist', 'credential_id': credential.id,
            'target_id': project.id, 'actor_id': user.id}


def _fill(rule, targets):
    def replace(match):
        converter, _, name = match.group(1).rpartition(':')
        if converter.startswith('any('):
            return converter[4:-1].split(',')[0]
        return targets.get(name, 'does-not-exist')
    return re.sub(r'<([^>]+)>', replace, rule.rule)


def _envelope(rule):
    """The body's top-level key for a route: ``project`` for ``/v3/projects/<id>``."""
    static = [s for s in rule.rule.split('/') if s and not s.startswith('<')]
    last = static[-1]
    return {'password': 'user', 'tokens': 'auth', 'implies': 'role_inference'}.get(
        last, last[:-1] if last.endswith('s') else last)


def _check(response, label):
    assert response.status_code < 500, (label, response.get_data(as_text=True)[:300])
    if response.status_code >= 400 and response.get_data():
        body = response.json
        assert set(body) == {'error'} and body['error']['code'] == response.status_code, label


@pytest.mark.parametrize('body', BODIES, ids=range(len(BODIES)))
def test_malformed_bodies(env, targets, body):
    token = env.admin_token()
    for rule, method in _routes(env.app):
        if method not in ('POST', 'PUT', 'PATCH'):
            continue
        path = _fill(rule, targets)
        data = body.replace('"key"', json.dumps(_envelope(rule))) \
            if isinstance(body, str) else body
        response = env.api.request(method, path, token=token, data=data,
                                   content_type='application/json')
        _check(response, (method, path, body and body[:60]))


@pytest.mark.parametrize('query', QUERIES)
def test_malformed_queries(env, targets, query):
    token = env.admin_token()
    for rule, method in _routes(env.app):
        if method not in ('GET', 'HEAD'):
            continue
        path = _fill(rule, targets)
        headers = {'X-Subject-Token': token} if rule.rule == '/v3/auth/tokens' else {}
        response = env.api.request(method, path + query, token=token, headers=headers)
        _check(response, (method, path + query))


@pytest.mark.parametrize('collection, key', [
    ('domains', 'domain'), ('projects', 'project'), ('users', 'user'),
    ('groups', 'group'), ('roles', 'role')])
@pytest.mark.parametrize('name', ['', '   '])
def test_blank_names_are_refused_naming_the_field(api, admin_token, collection, key, name):
    """A name of nothing or of spaces is no name, on create and on update."""
    created = api.post(f'/v3/{collection}', token=admin_token, json={key: {'name': name}})
    assert created.status_code == 400
    assert f"'{key}.name'" in created.json['error']['message']
    existing = api.post(f'/v3/{collection}', token=admin_token,
                        json={key: {'name': f.unique(key)}}).json[key]
    renamed = api.patch(f"/v3/{collection}/{existing['id']}", token=admin_token,
                        json={key: {'name': name}})
    assert renamed.status_code == 400
