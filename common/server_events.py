"""Telling compute about its servers: ``POST /os-server-external-events``.

Another service (network: ``network-vif-plugged``; volume:
``volume-extended``) sends the events as its own user (``[service_user]``),
like Neutron's and Cinder's Nova notifiers, from a thread of its own so
that the RPC report that caused them is answered at once.  Compute being
unreachable is retried for about half a minute, then logged: the sender's
own work stands either way.  Servers compute does not know (404) are not
retried, nor are the per-event codes of the answer (207), which are logged.
"""
import concurrent.futures
import logging
import time

from common import clients
from stratus import exceptions as sdk_exceptions

LOG = logging.getLogger(__name__)
RETRY_DELAYS = (1, 2, 4, 8, 16)  # seconds before each further attempt


class ServerEventSender:
    """:param connect: ``connect(conf)`` -> an SDK ``Connection`` (the service's own).
    :param delays: the seconds to wait before each retry."""

    def __init__(self, conf, connect=clients.service_connection, delays=RETRY_DELAYS,
                 thread_name='server-events'):
        self._conf = conf
        self._connect = connect
        self._delays = tuple(delays)
        self._sender = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=thread_name)

    def send(self, events):
        """Send ``events`` (dicts of ``name``, ``server_uuid``, ``tag``, ``status``) in
        one request; :returns: a ``Future`` of the sending."""
        return self._sender.submit(self._send, list(events))

    def _send(self, events):
        if not events:
            return
        what = ', '.join(f"{e['name']} ({e.get('tag')}) of server {e['server_uuid']}"
                         for e in events)
        for delay in (*self._delays, None):
            try:
                answers = self._connect(self._conf).compute.create_server_external_events(
                    events)
                break
            except sdk_exceptions.NotFound:
                LOG.info('%s: compute knows none of these servers', what)
                return
            except Exception as exc:  # compute down or refusing: the sender's work stands
                if delay is None:
                    LOG.warning('Could not send %s to compute: %s', what, exc)
                    return
                LOG.info('Sending %s failed (%s); again in %s s', what, exc, delay)
                time.sleep(delay)
        for answer in answers or []:
            # 404: the server is gone; 422: it has no host; 400: refused.  Nothing to retry.
            LOG.log(logging.INFO if answer.get('code') == 200 else logging.WARNING,
                    '%s (%s) of server %s: compute answered %s', answer.get('name'),
                    answer.get('tag'), answer.get('server_uuid'), answer.get('code'))

    def shutdown(self):
        self._sender.shutdown(wait=True)
