"""The identity API answers through a real gunicorn process on every backend."""


def test_version_documents(identity):
    anonymous = identity.anonymous()
    root = anonymous.get('/')
    assert root.status_code == 300
    assert root.json()['versions']['values'][0]['id'] == 'v3.14'
    v3 = anonymous.get('/v3')
    assert v3.status_code == 200
    assert v3.json()['version']['links'][0]['href'] == f'{identity.url}/v3/'


def test_admin_lists_projects(admin):
    response = admin.get('/v3/projects')
    assert response.status_code == 200
    assert 'admin' in [p['name'] for p in response.json()['projects']]
