"""The client side of the volume RPC APIs: the only way in over RabbitMQ.

``ConductorAPI`` (topic ``volume.conductor``, served by every volume
conductor; a message goes to one of them) is used by the volume API for
the long work it starts: the API checks the request, stores the volume
with its transitional status (``creating``, ``deleting``, ``extending``)
and casts; the conductor schedules a backend, has that backend's agent do
the work and records the outcome.  Arguments are plain JSON dicts and
strings.

The agents use it too: each backend's agent reports itself every
``report_interval`` (``report_state``) and reports the end of each
operation it was asked for (``volume_done``).  ``AgentAPI`` (topic
``volume.agent``, server ``<host>@<backend>``) is the conductor's way to
one backend's agent.

Version history of the conductor API:
    1.0 - create_volume, delete_volume, extend_volume
    1.1 - report_state, volume_done (from the agents)

Version history of the agent API:
    1.0 - create_volume, delete_volume, extend_volume
"""
from typing import TypedDict

import oslo_messaging as messaging

from common import rpc

CONDUCTOR_TOPIC = 'volume.conductor'
CONDUCTOR_VERSION = '1.1'
# Each backend's agent serves ``volume.agent`` with server ``<host>@<backend>``.
AGENT_TOPIC = 'volume.agent'
AGENT_VERSION = '1.0'

# The operations whose end an agent reports with ``volume_done``.
CREATE = 'create'
DELETE = 'delete'
EXTEND = 'extend'
ACTIONS = (CREATE, DELETE, EXTEND)

# What a ``call`` raises when nobody answered in time.
Timeout = messaging.MessagingTimeout


class VolumeTypeSpec(TypedDict):
    """The volume type of a request, as the scheduler needs it."""
    id: str
    name: str
    extra_specs: dict  # all of them, e.g. {"volume_backend_name": "file-1"}


class RequestSpec(TypedDict):
    """What ``create_volume`` is asked to make (the volume's row holds it too).

    Exactly one of ``snapshot_id``, ``source_volid`` and ``image_id`` is set
    when the volume is made from something, none for a blank volume.  The
    scheduler keeps to ``availability_zone``, to the type's
    ``volume_backend_name`` when it has one, and to ``backend_host`` (the
    ``<host>@<backend>`` holding the snapshot or source volume, which a
    file backend must copy from) when it is set.
    """
    volume_id: str
    project_id: str
    size: int  # GiB
    availability_zone: str
    volume_type: VolumeTypeSpec
    multiattach: bool
    snapshot_id: str | None
    source_volid: str | None
    image_id: str | None
    backend_host: str | None


class BackendState(TypedDict):
    """What a backend's agent reports of itself every ``report_interval``.

    :ivar host: ``<host>@<backend>``, the agent's RPC server name and the
        ``host`` of its service record.
    :ivar capabilities: the driver's ``capabilities()`` (``volume_backend_name``,
        ``total_capacity_gb``, ``free_capacity_gb``, ``reserved_percentage``,
        ``multiattach`` …), or ``None`` when the backend could not be read
        (the scheduler then places nothing there).
    """
    host: str
    availability_zone: str
    capabilities: dict | None


class ConductorAPI:

    def __init__(self, conf, transport=None):
        self._transport = transport or rpc.get_transport(conf)
        self._client = rpc.get_client(self._transport, CONDUCTOR_TOPIC, CONDUCTOR_VERSION,
                                      timeout=conf.rpc_response_timeout)

    # --- from the API --------------------------------------------------------

    def create_volume(self, ctx, volume_id, request_spec):
        """Make the volume ``volume_id`` the API stored (status ``creating``):
        schedule a backend for ``request_spec`` (a ``RequestSpec``) and have it
        create the volume; the volume ends ``available`` or ``error``.

        The API deletes at once a volume that has no ``host`` yet, so the
        conductor must record its choice of backend with a conditional
        UPDATE (``host IS NULL``, not deleted) and give up when that fails.
        """
        self._client.prepare().cast(ctx, 'create_volume', volume_id=volume_id,
                                    request_spec=dict(request_spec))

    def delete_volume(self, ctx, volume_id, cascade=False):
        """Remove the volume ``volume_id`` from its backend (status ``deleting``)
        and mark it deleted; ``error_deleting`` when the backend fails.

        :param cascade: its snapshots (status ``deleting`` too) go first.
        """
        self._client.prepare().cast(ctx, 'delete_volume', volume_id=volume_id,
                                    cascade=cascade)

    def extend_volume(self, ctx, volume_id, new_size):
        """Grow the volume ``volume_id`` (status ``extending``) to ``new_size`` GiB;
        it goes back to its ``previous_status`` with the new size, or to
        ``error_extending`` with the old one; either way ``requested_size``
        is cleared (the API took the quota through it)."""
        self._client.prepare().cast(ctx, 'extend_volume', volume_id=volume_id,
                                    new_size=new_size)

    # --- from the agents -----------------------------------------------------

    def report_state(self, ctx, backend_state):
        """Record the backend ``backend_state`` (a ``BackendState``) alive now, with its
        capabilities, as a ``cinder-volume`` service."""
        self._client.prepare(version='1.1').cast(ctx, 'report_state',
                                                 backend_state=dict(backend_state))

    def volume_done(self, ctx, volume_id, action, host, values=None, error=None):
        """The agent of ``host`` finished ``action`` (``CREATE``, ``DELETE`` or
        ``EXTEND``) on the volume ``volume_id``.

        :param values: on success, what the backend made: for ``CREATE`` the
            driver's ``ModelUpdate`` (``provider_location``, ``format``), for
            ``EXTEND`` ``{"size": <new size>}``.
        :param error: on failure, the driver's message (``values`` is then None).
        """
        self._client.prepare(version='1.1').cast(ctx, 'volume_done', volume_id=volume_id,
                                                 action=action, host=host, values=values,
                                                 error=error)


class AgentAPI:
    """The conductor's casts to one backend's agent; volumes as the driver's ``Volume``
    dicts (``id``, ``size``, ``format``, ``provider_location``)."""

    def __init__(self, conf, transport=None):
        self._transport = transport or rpc.get_transport(conf)
        self._client = rpc.get_client(self._transport, AGENT_TOPIC, AGENT_VERSION)

    def _cast(self, ctx, backend, method, **kwargs):
        self._client.prepare(server=backend, version='1.0').cast(ctx, method, **kwargs)

    def create_volume(self, ctx, backend, volume, snapshot=None, source_volume=None):
        """Create ``volume`` on ``backend`` (``<host>@<backend>``): blank, or from the
        driver ``Snapshot`` ``snapshot`` or the ``Volume`` ``source_volume``."""
        self._cast(ctx, backend, 'create_volume', volume=dict(volume),
                   snapshot=dict(snapshot) if snapshot else None,
                   source_volume=dict(source_volume) if source_volume else None)

    def delete_volume(self, ctx, backend, volume, snapshots=()):
        """Remove ``snapshots`` (driver ``Snapshot`` dicts), then ``volume``."""
        self._cast(ctx, backend, 'delete_volume', volume=dict(volume),
                   snapshots=[dict(s) for s in snapshots])

    def extend_volume(self, ctx, backend, volume, new_size):
        self._cast(ctx, backend, 'extend_volume', volume=dict(volume), new_size=new_size)
