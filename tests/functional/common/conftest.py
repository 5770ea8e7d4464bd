"""Fixtures of the common/ functional tests: a real RabbitMQ transport, unique topics."""
import pytest
from oslo_config import cfg

from common import config as common_config
from common import rpc
from tests import servers

def make_conf(**overrides):
    """A ``ConfigOpts`` with the common and RPC options, on the test RabbitMQ, as ``HOST``."""
    conf = cfg.ConfigOpts()
    common_config.register_common_opts(conf)
    rpc.register_opts(conf)
    conf([], project='stratus-functional-test', default_config_files=[])
    conf.set_override('transport_url', servers.TRANSPORT_URL)
    conf.set_override('host', HOST)
    for name, value in overrides.items():
        conf.set_override(name, value)
    return conf


@pytest.fixture
def rpc_conf():
    return make_conf()


@pytest.fixture
def transport(rpc_conf):
    transport = rpc.get_transport(rpc_conf)
    yield transport
    transport.cleanup()


# Every RPC server of these tests runs as this host, on a topic of its own.
HOST = 'functional-test-host'


@pytest.fixture
def topic():
    """A topic no one else serves; its queues are deleted from the broker afterwards.

    oslo.messaging leaves an RPC server's queues (``<topic>`` and
    ``<topic>.<host>``) on the broker when it stops; the broker is shared.
    """
    name = servers.unique_name('stratus-test')
    yield name
    import kombu
    url = 'amqp://' + servers.TRANSPORT_URL.split('://', 1)[1]
    with kombu.Connection(url, connect_timeout=10) as connection:
        channel = connection.channel()
        try:
            for queue in (name, f'{name}.{HOST}'):
                channel.queue_delete(queue)
        finally:
            channel.close()
