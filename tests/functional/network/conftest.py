"""Fixtures of the network functional tests: a real network API per database backend,
and what the conductor's tests share: an API with its conductor on a RabbitMQ
virtual host of their own, and the conductor's RPC client as an agent has it."""
import contextlib
import time

import pytest
from oslo_config import cfg

from common import rpc
from common.context import RequestContext
from network import conf as network_conf
from network import rpcapi
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


@contextlib.contextmanager
def api_with_conductor(identity, database_backend, directory):
    """A network API and its conductor on a RabbitMQ virtual host of their own:
    ``(api, conductor, vhost)``."""
    vhost = servers.RabbitVhost().create()
    try:
        with servers.database(database_backend, str(directory)) as url:
            api = servers.NetworkServer(str(directory), url, identity,
                                        transport_url=vhost.transport_url).start()
            conductor = api.start_conductor()
            try:
                yield api, conductor, vhost
            finally:
                conductor.stop()
                api.stop()
    finally:
        vhost.delete()


@contextlib.contextmanager
def conductor_client(conductor, vhost, timeout):
    """``(ConductorAPI, transport)`` as an agent has them, once the conductor answers."""
    conf = cfg.ConfigOpts()
    network_conf.register_opts(conf, database=False)
    conf([], project='stratus-functional-test', default_config_files=[])
    conf.set_override('transport_url', vhost.transport_url)
    conf.set_override('rpc_response_timeout', timeout)
    transport = rpc.get_transport(conf)
    client = rpcapi.ConductorAPI(conf, transport=transport)
    deadline = time.monotonic() + 60
    while True:  # until the conductor has declared its queue, a call times out
        assert conductor.running(), conductor.log_tail()
        try:
            client.get_host_state(RequestContext.admin(), 'warm-up')
            break
        except rpcapi.Timeout:
            assert time.monotonic() < deadline, conductor.log_tail()
    try:
        yield client, transport
    finally:
        transport.cleanup()
