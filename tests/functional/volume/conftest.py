"""Fixtures of the volume service's functional tests: the whole service (API,
conductor, file-backend agents) per database backend, on RabbitMQ."""
import pytest

from tests import servers


@pytest.fixture(scope='session')
def volume(identity, database_backend, tmp_path_factory):
    """A running volume service with its own database on the session's backend and
    two file backends (``agent-1@file-1``, ``agent-2@file-2``), published in the
    catalog as ``block-storage`` and ``volumev3``."""
    directory = tmp_path_factory.mktemp(f'volume-{database_backend}')
    with servers.database(database_backend, str(directory)) as url:
        server = servers.VolumeServer(str(directory), url, identity,
                                      backends=('file-1', 'file-2'), service_down_time=10,
                                      register_in_catalog=True).start()
        try:
            yield server
        finally:
            server.stop()
