"""Events for compute: ``network-vif-plugged`` when an instance port turns ACTIVE.

One request per agent report, through ``common.server_events`` (as the
network service's own user, from a thread of its own, retried for about
half a minute): a lost event would fail the server's build after
``vif_plugging_timeout``.
"""
from common import clients
from common import server_events

VIF_PLUGGED = 'network-vif-plugged'


class ComputeEvents(server_events.ServerEventSender):
    """:param connect: ``connect(conf)`` -> an SDK ``Connection`` (the service's own)."""

    def __init__(self, conf, connect=clients.service_connection,
                 delays=server_events.RETRY_DELAYS):
        super().__init__(conf, connect=connect, delays=delays, thread_name='compute-events')

    def vif_plugged(self, plugged):
        """Announce ``plugged``, ``[(port id, server uuid)]``; a ``Future`` of the sending."""
        return self.send({'name': VIF_PLUGGED, 'server_uuid': server_uuid, 'tag': port_id,
                          'status': 'completed'} for port_id, server_uuid in plugged)
