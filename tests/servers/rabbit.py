"""RabbitMQ for the helpers: a virtual host per deployment, and a notification catcher."""
import json
import socket
import subprocess
import time
import urllib.parse

from tests.servers.processes import TRANSPORT_URL
from tests.servers.processes import unique_name


class RabbitVhost:
    """A RabbitMQ virtual host of its own, made and removed with ``rabbitmqctl``.

    oslo.messaging names its queues after the RPC topic alone
    (``compute.conductor``, ``compute.agent.<host>``): a queue of that name
    is shared by every exchange bound to it, so a ``control_exchange`` of
    its own does not keep two deployments on one broker apart (each would
    consume the other's messages).  A virtual host does; deleting it drops
    whatever messages were left in it.
    """

    def __init__(self, transport_url=None):
        base = urllib.parse.urlsplit(transport_url or TRANSPORT_URL)
        self.name = unique_name('stratus-test')
        self.user = urllib.parse.unquote(base.username or 'guest')
        self.transport_url = urllib.parse.urlunsplit(
            base._replace(path='/' + urllib.parse.quote(self.name, safe='')))

    @staticmethod
    def _rabbitmqctl(*args):
        try:
            result = subprocess.run(['rabbitmqctl', *args], capture_output=True, text=True,
                                    timeout=60)
        except FileNotFoundError:
            raise RuntimeError('rabbitmqctl is not installed: the compute tests make a '
                               'RabbitMQ virtual host per deployment with it') from None
        if result.returncode != 0:
            raise RuntimeError(f'rabbitmqctl {" ".join(args)} failed (exit '
                               f'{result.returncode}): {result.stdout}{result.stderr}')

    def create(self):
        self._rabbitmqctl('add_vhost', self.name)
        self._rabbitmqctl('set_permissions', '-p', self.name, self.user, '.*', '.*', '.*')
        return self

    def delete(self):
        self._rabbitmqctl('delete_vhost', self.name)


class NotificationQueue:
    """Catches the notifications sent on RabbitMQ while it is open (a context manager).

    A queue of its own, exclusive and auto-deleted, bound to the notifier's
    exchange (``openstack``) with the ``notifications.info`` and
    ``notifications.error`` routing keys: it sees every notification sent
    while it exists and leaves nothing behind on the shared broker (an
    oslo.messaging listener pool would leave a durable queue).  Each message
    is kept as oslo.messaging's dict: ``event_type``, ``payload``,
    ``publisher_id``, ``priority``, ``_context_*`` …
    """

    def __init__(self, transport_url=None, exchange='openstack'):
        # oslo.messaging's rabbit:// is kombu's amqp://.
        self._url = 'amqp://' + (transport_url or TRANSPORT_URL).split('://', 1)[1]
        self._exchange = exchange
        self.received = []

    def __enter__(self):
        import kombu
        self._connection = kombu.Connection(self._url, connect_timeout=10)
        self._connection.connect()
        exchange = kombu.Exchange(self._exchange, type='topic', durable=False,
                                  auto_delete=False)
        queue = kombu.Queue(
            unique_name('stratus-test-notifications'), durable=False, exclusive=True,
            auto_delete=True, bindings=[kombu.binding(exchange, routing_key=key)
                                        for key in ('notifications.info',
                                                    'notifications.error')])
        self._consumer = self._connection.Consumer(queue, callbacks=[self._on_message],
                                                   accept=['json'])
        self._consumer.consume()
        return self

    def __exit__(self, *exc_info):
        try:
            self._consumer.cancel()
        finally:
            self._connection.release()

    def _on_message(self, body, message):
        envelope = json.loads(body) if isinstance(body, str) else body
        self.received.append(json.loads(envelope['oslo.message']))
        message.ack()

    def _drain(self, timeout):
        try:
            self._connection.drain_events(timeout=timeout)
        except (socket.timeout, TimeoutError):
            pass

    def wait_for(self, predicate, timeout=20):
        """The messages matching ``predicate``, waiting up to ``timeout`` for one."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.received if predicate(m)]
            if found or time.monotonic() > deadline:
                return found
            self._drain(0.5)

    def drain(self, seconds):
        """Take in what arrives during ``seconds`` (to see that nothing more does)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._drain(0.2)
