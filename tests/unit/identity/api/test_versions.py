"""Version discovery (``identity/api/versions.py``), open without a token."""
from tests.unit.identity.fixtures import PUBLIC_URL_BASE

MEDIA_TYPE = {'base': 'application/json',
              'type': 'application/vnd.openstack.identity-v3+json'}


def test_root_lists_v3_with_300(api):
    response = api.get('/')
    assert response.status_code == 300
    (version,) = response.json['versions']['values']
    assert version['id'] == 'v3.14' and version['status'] == 'stable'
    assert version['links'] == [{'rel': 'self', 'href': f'{PUBLIC_URL_BASE}/v3/'}]
    assert version['media-types'] == [MEDIA_TYPE]
    assert version['updated']


def test_v3_document(api):
    for path in ('/v3', '/v3/'):
        response = api.get(path)
        assert response.status_code == 200
        assert response.json['version']['id'] == 'v3.14'
        assert response.json['version']['media-types'] == [MEDIA_TYPE]


def test_links_follow_the_request_host_without_public_url(fresh_env):
    fresh_env.conf.clear_override('public_url', group='api')
    response = fresh_env.api.get('/v3', base_url='http://10.0.0.5:5000')
    assert response.json['version']['links'][0]['href'] == 'http://10.0.0.5:5000/v3/'


def test_operational_routes(api):
    assert api.get('/healthz').json == {'status': 'ok'}
    assert 'stratus_http_requests_total' in api.get('/metrics').get_data(as_text=True)
