"""Events for compute: ``network-vif-plugged`` when an instance port turns ACTIVE.

Sent through compute's API (``os-server-external-events``) as the network
service's own user (``[service_user]``), like Neutron's Nova notifier, in
one request per agent report, from a thread of their own: the agent's
report is answered at once.  Compute being unreachable is retried for
about half a minute (a lost event would fail the server's build after
``vif_plugging_timeout``), then logged; servers that are gone are not.
"""
import concurrent.futures
import logging
import time

from common import clients
from stratus import exceptions as sdk_exceptions

LOG = logging.getLogger(__name__)
VIF_PLUGGED = 'network-vif-plugged'
RETRY_DELAYS = (1, 2, 4, 8, 16)  # seconds before each further attempt


class ComputeEvents:
    """:param connect: ``connect(conf)`` -> an SDK ``Connection`` (the service's own)."""

    def __init__(self, conf, connect=clients.service_connection):
        self._conf = conf
        self._connect = connect
        self._sender = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix='compute-events')

    def vif_plugged(self, plugged):
        """Announce ``plugged``, ``[(port id, server uuid)]``; a ``Future`` of the sending."""
        events = [{'name': VIF_PLUGGED, 'server_uuid': server_uuid, 'tag': port_id,
                   'status': 'completed'} for port_id, server_uuid in plugged]
        return self._sender.submit(self._send, events)

    def _send(self, events):
        if not events:
            return
        tags = ', '.join(e['tag'] for e in events)
        for delay in (*RETRY_DELAYS, None):
            try:
                answers = self._connect(self._conf).compute.create_server_external_events(
                    events)
                break
            except sdk_exceptions.NotFound:
                LOG.info('%s of port(s) %s: compute knows none of their servers', VIF_PLUGGED,
                         tags)
                return
            except Exception as exc:  # compute down or refusing: the agent's report stands
                if delay is None:
                    LOG.warning('Could not send %d %s event(s) to compute (%s): %s',
                                len(events), VIF_PLUGGED, tags, exc)
                    return
                LOG.info('Sending %s of port(s) %s failed (%s); again in %s s', VIF_PLUGGED,
                         tags, exc, delay)
                time.sleep(delay)
        for answer in answers or []:
            # 404: the server is gone; 422: it has no host yet.  Nothing to retry.
            LOG.log(logging.INFO if answer.get('code') == 200 else logging.WARNING,
                    '%s of port %s for server %s: compute answered %s', VIF_PLUGGED,
                    answer.get('tag'), answer.get('server_uuid'), answer.get('code'))

    def shutdown(self):
        self._sender.shutdown(wait=True)
