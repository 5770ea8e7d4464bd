"""The process side of a conductor or agent: RPC server, heartbeat, periodic tasks.

A ``Service`` is started by a ``cmd/`` entry point with ``launch()``, which
blocks until SIGTERM or SIGINT and then stops it gracefully: the RPC server
stops taking messages and finishes the ones in flight, periodic tasks stop
at their next wake-up.

The heartbeat is a callable given by the service (a conductor writes its
own service record; an agent sends ``report_state`` to its conductor); a
failed heartbeat is logged and retried at the next interval, never fatal,
so a process outlives a broker or database outage and reports again when
it is back.
"""
import dataclasses
import logging
import signal
import threading
import time

from common import rpc

LOG = logging.getLogger(__name__)


@dataclasses.dataclass
class PeriodicTask:
    """``fn()`` every ``interval`` seconds, first after ``initial_delay``."""
    name: str
    interval: float
    fn: callable
    initial_delay: float = 0.0


class Service:
    """One conductor or agent process.

    :param conf: the process's ``ConfigOpts``.
    :param binary: the process name (``stratus-compute-conductor``).
    :param topic: the RPC topic it serves; ``None`` for no RPC server.
    :param endpoints: objects whose public methods are the RPC API.
    :param rpc_version: the RPC API version the endpoints implement.
    :param heartbeat: ``callable()`` run every ``report_interval`` seconds.
    :param periodic_tasks: further ``PeriodicTask`` objects.
    """

    def __init__(self, conf, *, binary, topic=None, endpoints=(), rpc_version='1.0',
                 heartbeat=None, periodic_tasks=(), transport=None):
        self.conf = conf
        self.binary = binary
        self.host = conf.host
        self.topic = topic
        self._endpoints = list(endpoints)
        self._rpc_version = rpc_version
        self._transport = transport
        self._rpc_server = None
        self._stopping = threading.Event()
        self._threads = []
        self._tasks = list(periodic_tasks)
        if heartbeat is not None:
            self._tasks.insert(0, PeriodicTask('heartbeat', conf.report_interval, heartbeat))

    def start(self):
        LOG.info('Starting %s on host %s (topic %s)', self.binary, self.host, self.topic)
        if self.topic:
            transport = self._transport or rpc.get_transport(self.conf)
            self._rpc_server = rpc.get_server(transport, self.topic, self.host,
                                              self._endpoints, self._rpc_version)
            self._rpc_server.start()
        for task in self._tasks:
            thread = threading.Thread(target=self._run_periodic, args=(task,),
                                      name=f'{self.binary}-{task.name}', daemon=True)
            thread.start()
            self._threads.append(thread)

    def _run_periodic(self, task):
        if self._stopping.wait(task.initial_delay):
            return
        while not self._stopping.is_set():
            started = time.monotonic()
            try:
                task.fn()
            except Exception:  # a failing task must not end its thread
                LOG.exception('Periodic task %s failed; it runs again in %ss',
                              task.name, task.interval)
            elapsed = time.monotonic() - started
            self._stopping.wait(max(0.0, task.interval - elapsed))

    def stop(self, timeout=30):
        LOG.info('Stopping %s on host %s', self.binary, self.host)
        self._stopping.set()
        if self._rpc_server is not None:
            self._rpc_server.stop()
            self._rpc_server.wait()
        for thread in self._threads:
            thread.join(timeout)

    @property
    def stopped(self):
        return self._stopping.is_set()


def launch(service):
    """Start ``service`` and block until SIGTERM/SIGINT, then stop it."""
    received = []

    def _on_signal(signum, _frame):
        # NOTE: only record it.  The handler runs in the main thread between
        # two bytecodes, possibly while that thread holds a lock (inside
        # Event.wait or a logging call), so it must take none.
        received.append(signum)

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    service.start()
    # Short sleeps: a signal the kernel delivers to another thread does not
    # wake the main thread, and its handler runs only once that thread does.
    while not received:
        time.sleep(0.2)
    LOG.info('Received signal %s', signal.Signals(received[0]).name)
    service.stop()
