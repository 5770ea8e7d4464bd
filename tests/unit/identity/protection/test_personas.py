"""The cast of the protection matrix is what the other modules assume."""


def test_personas_are_who_they_claim(world):
    """The cast itself: each token has the scope and roles its name says."""
    expected = {
        'cloud_admin': ('project', ['admin', 'member', 'reader']),
        'system_admin': ('system', ['admin', 'member', 'reader']),
        'system_reader': ('system', ['reader']),
        'domain_admin': ('domain', ['admin', 'member', 'reader']),
        'domain_reader': ('domain', ['reader']),
        'project_admin': ('project', ['admin', 'member', 'reader']),
        'project_member': ('project', ['member', 'reader']),
        'project_reader': ('project', ['reader']),
        'other_member': ('project', ['member', 'reader']),
        'foo': ('project', ['foo']),
    }
    for name, (scope, roles) in expected.items():
        body = world.request('cloud_admin', 'GET', '/v3/auth/tokens',
                             headers={'X-Subject-Token': world.token(name)}).json['token']
        assert scope in body, name
        assert sorted(r['name'] for r in body['roles']) == roles, name
        if scope == 'project':
            assert body['is_admin_project'] is (name == 'cloud_admin'), name
