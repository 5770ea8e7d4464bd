"""Logging set-up: every line carries the request id of the request it serves."""
import logging
import sys

from oslo_context import context as oslo_context

FORMAT = ('%(asctime)s %(process)d %(levelname)s %(name)s '
          '[%(request_id)s %(global_request_id)s] %(message)s')


class RequestIdFilter(logging.Filter):
    """Adds the current request's ids (``-`` outside a request) to records."""

    def filter(self, record):
        ctx = oslo_context.get_current()
        record.request_id = getattr(ctx, 'request_id', None) or '-'
        record.global_request_id = getattr(ctx, 'global_request_id', None) or '-'
        return True


def setup(conf, service):
    """Configure the root logger for a ``service`` process from ``conf``."""
    if conf.log_file:
        handler = logging.FileHandler(conf.log_file)
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if conf.debug else logging.INFO)
    # Libraries that are chatty at INFO: connection pools, AMQP reconnects.
    for noisy in ('urllib3', 'amqp', 'kombu', 'stevedore', 'oslo_policy'):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if 'database' in conf and conf.database.connection_debug:
        logging.getLogger('sqlalchemy.engine').setLevel(logging.INFO)
    logging.getLogger(__name__).info('stratus-%s logging started', service)
