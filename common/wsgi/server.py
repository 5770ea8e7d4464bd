"""Serve a service API with gunicorn (threaded workers), configured from ``[api]``.

The app is built in each worker after the fork (never in the master), so
database pools and AMQP connections are not shared between processes.
"""
import logging
import os
import shutil
import tempfile

from gunicorn.app.base import BaseApplication

LOG = logging.getLogger(__name__)


def _prepare_metrics_dir(service):
    """A fresh directory where workers write their Prometheus samples."""
    path = os.path.join(tempfile.gettempdir(), f'stratus-{service}-metrics-{os.getpid()}')
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    os.environ['PROMETHEUS_MULTIPROC_DIR'] = path
    return path


def _child_exit(_server, worker):
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(worker.pid)


class _Server(BaseApplication):

    def __init__(self, app_factory, options):
        self._factory = app_factory
        self._options = options
        super().__init__()

    def load_config(self):
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return self._factory()


KEEPALIVE_SECONDS = 75


def serve(conf, service, app_factory, extra_binds=()):
    """Run gunicorn in the foreground until SIGTERM/SIGINT.

    :param app_factory: ``callable() -> WSGI app``, called in each worker.
    :param extra_binds: more ``host:port`` the same workers listen on; the
        app tells them apart by ``SERVER_PORT``, which gunicorn sets to the
        port of the listening socket (not the Host header's).
    """
    metrics_dir = _prepare_metrics_dir(service)
    options = {
        'bind': [f'{conf.api.bind_host}:{conf.api.bind_port}', *extra_binds],
        'workers': conf.api.workers,
        'worker_class': 'gthread',
        'threads': conf.api.threads,
        'timeout': 120,
        'graceful_timeout': 30,
        # Idle keep-alive connections are closed after this many seconds.  It
        # must be well above the clients' polling intervals (`openstack ...
        # --wait` polls every 5 s): a server that closes a connection just
        # as the client reuses it makes the client fail with "Remote end
        # closed connection without response" (requests does not retry).
        'keepalive': KEEPALIVE_SECONDS,
        'proc_name': f'stratus-{service}-api',
        'child_exit': _child_exit,
        # Our own access log (with request ids) replaces gunicorn's.
        'accesslog': None,
        'errorlog': '-',
        'loglevel': 'debug' if conf.debug else 'info',
    }
    LOG.info('stratus-%s-api listening on %s with %d workers', service,
             ', '.join(options['bind']), options['workers'])
    try:
        _Server(app_factory, options).run()
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
