"""Port status from the agents: ACTIVE once wired on its host, DOWN otherwise.

Ports are created DOWN, and go DOWN when their binding moves or they are
set admin-down (``network.ports``).  The agent of a host tells which of the
ports bound there it has wired and which it no longer has; each change is
a conditional UPDATE on the port's host and its previous status, so a
report racing with a rebinding cannot mark a port ACTIVE on a host it has
left.  An instance port that turns ACTIVE is announced to compute
(``network-vif-plugged``), which waits for it before calling a server
ACTIVE.
"""
import logging

import sqlalchemy as sa

from network.conductor import host_state
from network.db import models as m
from network.db import retry

LOG = logging.getLogger(__name__)
ACTIVE = 'ACTIVE'
DOWN = 'DOWN'


def _set(session, host, port_ids, status):
    """Set ``status`` on the ports of ``port_ids`` bound to ``host`` that differ;
    the ports changed, as ``[(id, device_owner, device_id)]``."""
    if not port_ids:
        return []
    conditions = [m.Port.id.in_(port_ids), m.Port.binding_host_id == host,
                  m.Port.status != status]
    if status == ACTIVE:
        conditions.append(m.Port.admin_state_up.is_(True))
    candidates = session.execute(sa.select(m.Port.id, m.Port.status, m.Port.device_owner,
                                           m.Port.device_id).where(*conditions)).all()
    changed = []
    for port_id, previous, device_owner, device_id in candidates:
        result = session.execute(
            sa.update(m.Port).where(m.Port.id == port_id, m.Port.status == previous,
                                    *conditions[1:])
            .values(status=status, revision_number=m.Port.revision_number + 1)
            .execution_options(synchronize_session=False))
        if result.rowcount == 1:
            changed.append((port_id, device_owner, device_id))
    return changed


def update(db, host, active, down):
    """Record the agent of ``host``'s report; the instance ports that turned ACTIVE,
    as ``[(port id, server uuid)]``."""
    def work(session):
        turned_active = _set(session, host, sorted(set(active)), ACTIVE)
        turned_down = _set(session, host, sorted(set(down) - set(active)), DOWN)
        return turned_active, turned_down
    turned_active, turned_down = retry.in_writer(db, work)
    for port_id, _, _ in turned_active:
        LOG.info('Port %s is ACTIVE on host %s', port_id, host)
    for port_id, _, _ in turned_down:
        LOG.info('Port %s is DOWN on host %s', port_id, host)
    return [(port_id, device_id) for port_id, device_owner, device_id in turned_active
            if device_owner.startswith(host_state.COMPUTE_OWNER_PREFIX) and device_id]
