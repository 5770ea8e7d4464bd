"""What the conductor's workflows work with, built once per process.

Passed explicitly to every workflow module (build, actions, reports,
power sync) so that tests give stand-ins for the outside world (agents,
network and image services) and keep the real database and scheduler.
"""
import dataclasses

from common.db.types import utcnow
from compute.conductor import payloads


@dataclasses.dataclass
class Deps:
    """:ivar agents: ``compute.rpcapi.AgentAPI``.
    :ivar notifier: ``common.rpc.Notifier``.
    :ivar scheduler: the ``compute.conductor.scheduler`` module (or a stand-in
        with ``select_and_claim``, ``NoValidHost`` and ``claims``).
    :ivar network: ``compute.network.NetworkClient``.
    :ivar images: ``compute.images.ImageClient``.
    :ivar volumes: ``compute.volumes.VolumeClient`` (``None`` for a conductor
        that never meets a volume: tests of other workflows).
    """
    conf: object
    db: object
    agents: object
    notifier: object
    scheduler: object
    network: object
    images: object
    volumes: object = None

    def notify(self, ctx, event_type, instance, **extra):
        """Send ``compute.instance.<event_type>`` about ``instance`` (a row)."""
        payload = payloads.notification(instance)
        payload.update(extra)
        self.notifier.info(ctx, f'compute.instance.{event_type}', payload)

    @staticmethod
    def now():
        return utcnow()
