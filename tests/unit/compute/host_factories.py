"""Builders of host-side test rows: agents, conductors, compute nodes, servers, aggregates.

They write rows as the conductor would have left them, so that the admin
APIs (services, hypervisors, zones, aggregates, usage) can be tested
without one.
"""
import datetime
import json

from common.db.types import utcnow
from compute import service_names
from compute import states
from compute.db import models as m

T0 = datetime.datetime(2026, 1, 1, 0, 0, 0)


def add_agent(session, host, *, disabled=False, disabled_reason=None, forced_down=False,
              seen_ago=0, node=True, vcpus=16, memory_mb=32768, local_gb=1000, **node_kw):
    """An agent's service record heard from ``seen_ago`` seconds ago, and its node."""
    service = m.Service(host=host, binary=service_names.AGENT_BINARY, topic='compute',
                        disabled=disabled, disabled_reason=disabled_reason,
                        forced_down=forced_down,
                        last_seen_up=utcnow() - datetime.timedelta(seconds=seen_ago))
    session.add(service)
    if node:
        session.add(m.ComputeNode(
            host=host, hypervisor_hostname=f'{host}.example', hypervisor_type='fake',
            hypervisor_version=1000, host_ip='192.0.2.10', vcpus=vcpus, memory_mb=memory_mb,
            local_gb=local_gb, cpu_allocation_ratio=16.0, ram_allocation_ratio=1.5,
            disk_allocation_ratio=1.0,
            capabilities=json.dumps({'cpu_arch': 'x86_64', 'hypervisor_type': 'fake'}),
            **node_kw))
    session.flush()
    return service


def add_conductor(session, host='ctl', *, seen_ago=0):
    service = m.Service(host=host, binary=service_names.CONDUCTOR_BINARY, topic='conductor',
                        last_seen_up=utcnow() - datetime.timedelta(seconds=seen_ago))
    session.add(service)
    session.flush()
    return service


def add_server(session, *, project_id='project-p', host=None, name='vm', vcpus=1,
               memory_mb=512, root_gb=1, ephemeral_gb=0, flavor_name='m1.tiny',
               vm_state=states.ACTIVE, task_state=None, launched_at=T0, terminated_at=None,
               deleted_at=None, uuid=None):
    flavor = {'name': flavor_name, 'vcpus': vcpus, 'ram': memory_mb, 'disk': root_gb,
              'ephemeral': ephemeral_gb, 'swap': 0, 'extra_specs': {}}
    server = m.Instance(display_name=name, project_id=project_id, user_id='user',
                        flavor=json.dumps(flavor), vcpus=vcpus, memory_mb=memory_mb,
                        root_gb=root_gb, ephemeral_gb=ephemeral_gb, host=host,
                        vm_state=vm_state, task_state=task_state, launched_at=launched_at,
                        terminated_at=terminated_at, deleted_at=deleted_at,
                        created_at=launched_at or T0)
    if uuid is not None:
        server.uuid = uuid
    session.add(server)
    session.flush()
    return server


def add_aggregate(session, name, hosts=(), zone=None, **metadata):
    aggregate = m.Aggregate(name=name)
    session.add(aggregate)
    session.flush()
    for host in hosts:
        session.add(m.AggregateHost(aggregate_id=aggregate.id, host=host))
    if zone is not None:
        metadata['availability_zone'] = zone
    for key, value in metadata.items():
        session.add(m.AggregateMetadata(aggregate_id=aggregate.id, key=key, value=value))
    session.flush()
    return aggregate
