"""Heartbeats: the conductor's own, and the agents' ``report_state``.

Agents have no database, so the conductor writes for them: the agent's
service record (``os-services`` shows it down once it stops reporting)
and its ``compute_nodes`` row.  The report sets the totals, the hypervisor
facts and the allocation ratios of ``[scheduler]``; it never touches the
``*_used`` columns, which only claims change.  A change of totals or
ratios bumps the node's ``generation``, so that a claim computed against
the old capacity fails and is recomputed (``compute.conductor.scheduler``).
"""
import json
import logging

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common.db import service_records
from compute import rpcapi
from compute import service_names
from compute.db import models as m

LOG = logging.getLogger(__name__)
N = m.ComputeNode
_CAPACITY = ('vcpus', 'memory_mb', 'local_gb', 'cpu_allocation_ratio', 'ram_allocation_ratio',
             'disk_allocation_ratio')
_FACTS = ('hypervisor_type', 'hypervisor_version', 'hypervisor_hostname', 'host_ip',
          'capabilities')


def conductor_heartbeat(deps):
    with deps.db.writer() as session:
        service_records.record_heartbeat(session, m.Service, deps.conf.host,
                                         service_names.CONDUCTOR_BINARY,
                                         topic=rpcapi.CONDUCTOR_TOPIC)


def _node_values(conf, resources):
    scheduler = conf.scheduler
    return {'vcpus': int(resources['vcpus']), 'memory_mb': int(resources['memory_mb']),
            'local_gb': int(resources['local_gb']),
            'cpu_allocation_ratio': scheduler.cpu_allocation_ratio,
            'ram_allocation_ratio': scheduler.ram_allocation_ratio,
            'disk_allocation_ratio': scheduler.disk_allocation_ratio,
            'hypervisor_type': resources['hypervisor_type'],
            'hypervisor_version': int(resources.get('hypervisor_version') or 0),
            'hypervisor_hostname': resources['hypervisor_hostname'],
            'host_ip': resources.get('host_ip'),
            'capabilities': json.dumps(resources.get('capabilities') or {}, sort_keys=True)}


def report_state(deps, host, resources):
    """Record agent ``host`` alive, with the resources it reported (a ``HostReport``)."""
    values = _node_values(deps.conf, resources)
    with deps.db.writer() as session:
        service_records.record_heartbeat(session, m.Service, host, service_names.AGENT_BINARY,
                                         topic=rpcapi.AGENT_TOPIC)
        node = session.execute(sa.select(N).where(N.host == host)).scalar_one_or_none()
        if node is None:
            try:
                # Two conductors may see a new host's first reports at once.
                with session.begin_nested():
                    session.add(N(host=host, **values))
                LOG.info('New compute host %s: %s vCPUs, %s MiB, %s GB', host,
                         values['vcpus'], values['memory_mb'], values['local_gb'])
                return
            except sa_exc.IntegrityError:
                node = session.execute(sa.select(N).where(N.host == host)).scalar_one()
        changed = {k: v for k, v in values.items() if getattr(node, k) != v}
        if not changed:
            return
        update = sa.update(N).where(N.id == node.id).values(**changed)
        if any(k in _CAPACITY for k in changed):
            LOG.info('Capacity of host %s changed: %s', host,
                     {k: changed[k] for k in changed if k in _CAPACITY})
            update = update.values(generation=N.generation + 1)
        session.execute(update.execution_options(synchronize_session=False))
