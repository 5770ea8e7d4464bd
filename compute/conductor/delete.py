"""Deleting a server that has a host: guest, claims, ports, volumes, group membership, row.

The API deletes a server that never got a host itself; for the others it
sets ``deleting`` and casts here.  The guest is destroyed first (a host
that is down or does not answer does not stop the delete: its guest is
removed at the agent's next start, see ``power_sync``), then the ports,
then the volumes' attachments (and the volumes with ``delete_on_termination``),
then in one transaction the claims, the block device mappings, the group
membership and the row.
If the network service cannot release the ports the server goes to ERROR
instead, keeping its ports on record, so that a second delete retries.
"""
import logging

import sqlalchemy as sa

from compute import states
from compute.conductor import events
from compute.conductor import payloads
from compute.conductor import teardown
from compute.conductor.outcomes import fail
from compute.db import api as db_api
from compute.db import models as m

LOG = logging.getLogger(__name__)
EVENT = 'compute_terminate_instance'
TASKS = (states.DELETING,)


def delete(deps, ctx, uuid):
    with deps.db.writer() as session:
        row = db_api.get_instance(session, uuid)
        if row is None or row.task_state != states.DELETING:
            LOG.info('Server %s is not being deleted; ignored', uuid)
            return
        hosts = list(dict.fromkeys(h for h in (row.host, row.migration_host) if h))
        instance = payloads.instance(session, row)
        events.start(session, ctx, uuid, EVENT, host=row.host)
        ports = [{'id': p.port_id, 'network_id': p.network_id,
                  'created_by_compute': p.created_by_compute}
                 for p in session.execute(sa.select(m.InstancePort).where(
                     m.InstancePort.instance_uuid == uuid)).scalars()]
        volumes = db_api.volume_mappings(session, uuid)
    for host in hosts:
        try:
            deps.agents.destroy(ctx, host, instance)
        except Exception as exc:  # a host that is down must not keep the server alive
            LOG.warning('Could not destroy the guest of %s on %s (%s); deleting anyway',
                        uuid, host, exc)
    error = teardown.deallocate_ports(deps, ctx, uuid, ports)
    if error is not None:
        fail(deps, ctx, uuid, TASKS, EVENT, error, vm_state=states.ERROR)
        return
    teardown.release_volumes(deps, ctx, uuid, volumes)
    now = deps.now()
    with deps.db.writer() as session:
        if not db_api.transition(session, uuid, task_states=TASKS, vm_state=states.DELETED,
                                 task_state=None, power_state=states.NOSTATE,
                                 deleted_at=now, terminated_at=now):
            return
        teardown.release_claim(deps, session, uuid)
        teardown.forget_ports(session, uuid)
        teardown.forget_mappings(session, uuid)
        session.execute(sa.delete(m.ServerGroupMember)
                        .where(m.ServerGroupMember.instance_uuid == uuid)
                        .execution_options(synchronize_session=False))
        events.finish(session, ctx, uuid, EVENT, events.SUCCESS)
        row = db_api.get_instance(session, uuid, include_deleted=True)
    deps.notify(ctx, 'delete.end', row)
