"""Functional tests run each service's real processes against real databases.

Every test that uses ``identity`` runs once per database backend (SQLite,
MariaDB, PostgreSQL); the servers must be running (./run_tests.sh starts
them), and a missing one fails the run.
"""
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
