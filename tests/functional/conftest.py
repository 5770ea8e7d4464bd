"""Functional tests run each service's real processes against real databases.

Every test that uses ``identity`` runs once per database backend (SQLite,
MariaDB, PostgreSQL); the servers must be running (./run_tests.sh starts
them), and a missing one fails the run.
"""
import dataclasses

import pytest

from tests import servers


@pytest.fixture(scope='session', params=servers.BACKENDS)
def database_backend(request):
    return request.param


@pytest.fixture(scope='session')
def identity(database_backend, tmp_path_factory):
    """A bootstrapped identity API on the session's database backend."""
    directory = tmp_path_factory.mktemp(f'identity-{database_backend}')
    with servers.database(database_backend, str(directory)) as url:
        server = servers.IdentityServer(str(directory), url).start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope='session')
def admin(identity):
    """An API client holding a cloud admin token (admin of the admin project)."""
    return identity.client()


@pytest.fixture(scope='session')
def role_ids(admin):
    """``{role name: role id}`` of the session's identity server."""
    return {r['name']: r['id'] for r in admin.get('/v3/roles').json()['roles']}


@dataclasses.dataclass
class Account:
    """A user made for one test, with a token scoped as asked."""
    name: str
    password: str
    user_id: str
    project_id: str | None
    project_name: str | None
    domain_id: str
    token: str
    client: servers.ApiClient


@pytest.fixture
def make_account(identity, admin, role_ids):
    """``make_account(roles=('member',), project_id=None, domain_id='default', scope='project')``.

    Creates a user (and, without ``project_id``, a new project) with a unique
    name, grants ``roles`` on the project (or, with ``scope='domain'``, on the
    domain) and returns an ``Account`` holding a token of that scope
    (unscoped when ``roles`` is empty).
    """
    def make(roles=('member',), project_id=None, domain_id='default', scope='project'):
        name = servers.unique_name('user')
        password = servers.unique_name('pw')
        project_name = None
        if scope == 'project':
            if project_id is None:
                created = admin.post('/v3/projects', json={'project': {
                    'name': servers.unique_name('project'), 'domain_id': domain_id}})
                assert created.status_code == 201, created.text
                project_id = created.json()['project']['id']
            project = admin.get(f'/v3/projects/{project_id}').json()['project']
            project_name, domain_id = project['name'], project['domain_id']
        user = admin.post('/v3/users', json={'user': {
            'name': name, 'password': password, 'domain_id': domain_id}})
        assert user.status_code == 201, user.text
        user_id = user.json()['user']['id']
        target = f'/v3/projects/{project_id}' if scope == 'project' else f'/v3/domains/{domain_id}'
        for role in roles:
            granted = admin.put(f'{target}/users/{user_id}/roles/{role_ids[role]}')
            assert granted.status_code == 204, granted.text
        auth = servers.password_auth(name, password, user_domain=_domain_name(admin, domain_id))
        if not roles:
            pass  # nothing to scope to: an unscoped token
        elif scope == 'project':
            auth['auth']['scope'] = {'project': {'id': project_id}}
        else:
            auth['auth']['scope'] = {'domain': {'id': domain_id}}
        issued = identity.anonymous().post('/v3/auth/tokens', json=auth)
        assert issued.status_code == 201, issued.text
        token = issued.headers['X-Subject-Token']
        return Account(name=name, password=password, user_id=user_id, project_id=project_id,
                       project_name=project_name, domain_id=domain_id, token=token,
                       client=servers.ApiClient(identity.url, token))
    return make


def _domain_name(admin, domain_id):
    return admin.get(f'/v3/domains/{domain_id}').json()['domain']['name']


@pytest.fixture(scope='module')
def extra_identity(identity, tmp_path_factory):
    """``extra_identity(**options)``: another identity API on the session's database.

    It has its own key repository and configuration (``options`` go to
    ``IdentityServer``, e.g. ``notifications=True``); it is not bootstrapped
    again, so the catalog keeps pointing at the session's server.  The
    servers a module starts are stopped at its end.
    """
    started = []

    def start(**options):
        directory = tmp_path_factory.mktemp('identity-extra')
        server = servers.IdentityServer(str(directory), identity.database_url, **options)
        started.append(server)
        return server.start(bootstrap=False)

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope='session')
def image(identity, database_backend, tmp_path_factory):
    """A running image API with its own database on the session's backend."""
    directory = tmp_path_factory.mktemp(f'image-{database_backend}')
    with servers.database(database_backend, str(directory)) as url:
        server = servers.ImageServer(str(directory), url, identity,
                                     register_in_catalog=True).start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope='session')
def compute(identity, image, database_backend, tmp_path_factory):
    """A running compute service (API, conductor, two fake-driver agents) with its
    own database on the session's backend; the image fixture's server is in the catalog."""
    directory = tmp_path_factory.mktemp(f'compute-{database_backend}')
    with servers.database(database_backend, str(directory)) as url:
        server = servers.ComputeServer(str(directory), url, identity, image, agents=2,
                                        register_in_catalog=True)
        server.start()
        try:
            yield server
        finally:
            server.stop()
