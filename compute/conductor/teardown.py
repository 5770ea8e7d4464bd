"""Giving back what a server holds on a host: its claim, its ports and its volumes.

Every failure path of a build, and every delete, ends here, so that
nothing leaks.  Database rows (allocations, ``instance_ports``) are
removed inside the caller's transaction; ports are deleted (or unbound,
when the user brought them) in the network service after that
transaction commits, by ``deallocate_ports``.
"""
import logging

import sqlalchemy as sa

from compute import states
from compute import volumes
from compute.db import models as m

LOG = logging.getLogger(__name__)


def node_id_of(session, host):
    """The ``compute_nodes.id`` of ``host``, or ``None``."""
    return session.execute(sa.select(m.ComputeNode.id).where(
        m.ComputeNode.host == host)).scalar_one_or_none()


def release_claim(deps, session, instance_uuid, host=None):
    """Free the server's allocation on ``host`` (all of them when ``None``)."""
    if host is None:
        deps.scheduler.claims.release(session, instance_uuid)
        return
    node_id = node_id_of(session, host)
    if node_id is not None:
        deps.scheduler.claims.release(session, instance_uuid, node_id=node_id)


def record_ports(session, instance_uuid, ports):
    """Remember the ports a build made or bound, so that a delete finds them.

    A port the network service shows other than ``ACTIVE`` is not wired on
    the host yet: the build waits for it (``compute.conductor.vif_plugging``).
    """
    for port in ports:
        wired = port.get('status') == 'ACTIVE'
        session.add(m.InstancePort(port_id=port['id'], instance_uuid=instance_uuid,
                                   network_id=port.get('network_id'),
                                   created_by_compute=port.get('created_by_compute', True),
                                   vif_state=states.VIF_PLUGGED if wired else states.VIF_WAITING))


def forget_ports(session, instance_uuid):
    """Remove the server's port rows; returns them as dicts for ``deallocate_ports``."""
    rows = session.execute(sa.select(m.InstancePort).where(
        m.InstancePort.instance_uuid == instance_uuid)).scalars().all()
    ports = [{'id': r.port_id, 'network_id': r.network_id,
              'created_by_compute': r.created_by_compute} for r in rows]
    for row in rows:
        session.delete(row)
    return ports


def deallocate_ports(deps, ctx, instance_uuid, ports):
    """Delete (or unbind) ``ports`` of server ``instance_uuid`` in the network service.

    :returns: an error message, or ``None`` when every port is handled.
    """
    if not ports:
        return None
    try:
        deps.network.deallocate_ports(ctx, ports)
    except Exception as exc:  # the caller decides whether this fails its work
        LOG.exception('Could not release ports %s of server %s', [p['id'] for p in ports],
                      instance_uuid)
        return f'Failed to deallocate the network ports of the server: {exc}'
    return None


def forget_mappings(session, instance_uuid):
    """Remove every block device mapping of the server (its volumes are given back)."""
    session.execute(sa.delete(m.BlockDeviceMapping)
                    .where(m.BlockDeviceMapping.instance_uuid == instance_uuid)
                    .execution_options(synchronize_session=False))


def release_volumes(deps, ctx, instance_uuid, mappings):
    """Give back the volumes of a server that is going (``compute.volumes.give_back``).

    :param mappings: what ``db_api.volume_mappings`` gave.
    """
    volumes.give_back(deps.volumes, ctx, instance_uuid, mappings)
