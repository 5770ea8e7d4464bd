"""RPC and notifications over RabbitMQ with oslo.messaging.

Only this module and each service's ``rpcapi.py`` build oslo.messaging
clients.  Arguments and results are plain JSON-serialisable dicts; the
request context travels with every message so that the receiving side
logs the same request id and can check policy.
"""
import logging

import oslo_messaging as messaging
from oslo_messaging import opts as messaging_opts
from oslo_config import cfg
from oslo_messaging._metrics import client as metrics_client
from oslo_messaging._tracing import client as tracing_client

from common.context import RequestContext

LOG = logging.getLogger(__name__)
NOTIFICATION_TOPIC = 'notifications'

_notifier_opts = [
    cfg.IntOpt('notification_retry', default=2, min=0,
               help='How many times to retry sending a notification while '
                    'RabbitMQ is unreachable before dropping it (the API '
                    'call that caused it is not failed).'),
]


def register_opts(conf):
    """Register oslo.messaging's options (and ours) on ``conf``."""
    for group, opts in messaging_opts.list_opts():
        conf.register_opts(opts, group=group)
    # oslo.messaging registers its tracing and metrics options only on
    # cfg.CONF, yet its RPC client reads them from the ConfigOpts it is given.
    conf.register_opts(tracing_client.oslo_messaging_tracing,
                       group='oslo_messaging_tracing')
    conf.register_opts(metrics_client.oslo_messaging_metrics,
                       group='oslo_messaging_metrics')
    conf.register_opts(_notifier_opts, group='oslo_messaging_notifications')
    conf.set_default('transport_url', 'rabbit://guest:guest@127.0.0.1:5672/')
    conf.set_default('driver', ['messagingv2'], group='oslo_messaging_notifications')


class ContextSerializer(messaging.Serializer):
    """Sends the ``RequestContext`` as a dict; payloads pass through as JSON."""

    def serialize_entity(self, ctxt, entity):
        return entity

    def deserialize_entity(self, ctxt, entity):
        return entity

    def serialize_context(self, ctxt):
        return ctxt.to_dict() if hasattr(ctxt, 'to_dict') else dict(ctxt or {})

    def deserialize_context(self, ctxt):
        return RequestContext.from_dict(ctxt)


# Exceptions a server may raise back to a ``call``er as themselves (a 404
# or 409 from the far side stays one); any other arrives as a RemoteError.
REMOTE_EXCEPTION_MODULES = ['common.exceptions']


def get_transport(conf):
    return messaging.get_rpc_transport(conf, allowed_remote_exmods=REMOTE_EXCEPTION_MODULES)


def get_client(transport, topic, version, *, version_cap=None, server=None,
               timeout=None):
    """An RPC client for ``topic`` that may send up to ``version_cap``."""
    target = messaging.Target(topic=topic, version=version, server=server)
    return messaging.get_rpc_client(transport, target, version_cap=version_cap,
                                    serializer=ContextSerializer(), timeout=timeout)


def get_server(transport, topic, server, endpoints, version):
    """An RPC server on ``topic`` (and ``topic.server``) with threaded dispatch.

    ``version`` is the API version the endpoints implement: oslo.messaging
    dispatches by each endpoint's own ``target`` (taken as 1.0 when it has
    none), so endpoints without one are given ``version`` here.
    """
    for endpoint in endpoints:
        if getattr(endpoint, 'target', None) is None:
            endpoint.target = messaging.Target(version=version)
    target = messaging.Target(topic=topic, server=server, version=version)
    return messaging.get_rpc_server(
        transport, target, endpoints, executor='threading',
        serializer=ContextSerializer(),
        access_policy=messaging.DefaultRPCAccessPolicy)


class Notifier:
    """Emits ``<service>.<resource>.<action>`` notifications on the bus.

    A notification that cannot be sent is logged and dropped: the change it
    reports has already been committed, and the API call must not fail.
    """

    def __init__(self, conf, publisher_id, transport=None):
        transport = transport or messaging.get_notification_transport(conf)
        retry = conf.oslo_messaging_notifications.notification_retry
        self._notifier = messaging.Notifier(
            transport, publisher_id=publisher_id, topics=[NOTIFICATION_TOPIC],
            serializer=ContextSerializer(), retry=retry)

    def info(self, ctx, event_type, payload):
        try:
            self._notifier.info(ctx or RequestContext.admin(), event_type, payload)
        except Exception:  # the bus being down must not fail the caller
            LOG.exception('Could not send notification %s', event_type)

    def error(self, ctx, event_type, payload):
        try:
            self._notifier.error(ctx or RequestContext.admin(), event_type, payload)
        except Exception:  # the bus being down must not fail the caller
            LOG.exception('Could not send notification %s', event_type)
