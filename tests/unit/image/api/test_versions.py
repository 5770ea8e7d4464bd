"""Version discovery: ``GET /`` (300, as Tempest checks) and ``GET /versions``."""
import pytest

EXPECTED_IDS = [f'v2.{minor}' for minor in range(16, -1, -1)]


@pytest.mark.parametrize('path, status', [('/', 300), ('/versions', 200)])
def test_versions_without_a_token(api, path, status):
    response = api.get(path, as_=None)
    assert response.status_code == status
    versions = response.json['versions']
    assert [v['id'] for v in versions] == EXPECTED_IDS
    assert [v['id'] for v in versions if v['status'] == 'CURRENT'] == ['v2.16']
    assert {v['status'] for v in versions} == {'CURRENT', 'SUPPORTED'}
    for version in versions:
        assert version['links'] == [{'rel': 'self', 'href': 'http://localhost/v2/'}]
        assert version['updated']


def test_versions_use_the_public_url(make_env):
    env = make_env(api__public_url='https://images.example.com:9292/')
    versions = env.api.get('/', as_=None).json['versions']
    assert versions[0]['links'][0]['href'] == 'https://images.example.com:9292/v2/'


def test_other_routes_need_a_token(api):
    assert api.get('/v2/images', as_=None).status_code == 401
    assert api.get('/v2/schemas/image', as_=None).status_code == 401
