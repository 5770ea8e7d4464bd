"""Fixtures of the network functional tests: a real network API per database backend."""
import pytest

from tests import servers


@pytest.fixture(scope='session')
def network(identity, database_backend, tmp_path_factory):
    """A running network API with its own database on the session's backend,
    published in the catalog as the ``network`` service."""
    directory = tmp_path_factory.mktemp(f'network-{database_backend}')
    with servers.database(database_backend, str(directory)) as url:
        server = servers.NetworkServer(str(directory), url, identity,
                                        register_in_catalog=True).start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def project(make_account):
    """A member of a new project, with a client on the network API."""
    return make_account(roles=('member', 'reader'))
