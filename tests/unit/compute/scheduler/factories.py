"""Builders of scheduler test data: host states in memory, nodes in a database."""
import datetime

from common.db.types import utcnow
from compute import service_names
from compute.conductor.scheduler import host_state
from compute.db import models as m

RESOURCES = {'vcpus': 1, 'memory_mb': 512, 'disk_gb': 1}


def host(name='host1', node_id=1, **kw):
    """A ``HostState`` of an empty 4-vCPU, 4 GiB, 40 GB host, ratios 1.0, up and enabled."""
    values = dict(node_id=node_id, node_uuid=f'uuid-{name}', host=name,
                  hypervisor_hostname=f'{name}.example', hypervisor_type='qemu',
                  vcpus=4, memory_mb=4096, local_gb=40, vcpus_used=0, memory_mb_used=0,
                  local_gb_used=0, running_vms=0, cpu_allocation_ratio=1.0,
                  ram_allocation_ratio=1.0, disk_allocation_ratio=1.0, generation=0,
                  capabilities={'cpu_arch': 'x86_64', 'hypervisor_type': 'qemu'})
    values.update(kw)
    return host_state.HostState(**values)


def spec(vcpus=1, memory_mb=512, disk_gb=1, **kw):
    return host_state.RequestSpec(vcpus=vcpus, memory_mb=memory_mb, disk_gb=disk_gb, **kw)


def add_node(session, name, *, vcpus=4, memory_mb=4096, local_gb=40, ratios=(1.0, 1.0, 1.0),
             capabilities='{"cpu_arch": "x86_64", "hypervisor_type": "qemu"}',
             disabled=False, seen_ago=0, with_service=True):
    """A compute node and (unless ``with_service`` is false) its agent's service record."""
    node = m.ComputeNode(host=name, hypervisor_hostname=f'{name}.example',
                         hypervisor_type='qemu', vcpus=vcpus, memory_mb=memory_mb,
                         local_gb=local_gb, cpu_allocation_ratio=ratios[0],
                         ram_allocation_ratio=ratios[1], disk_allocation_ratio=ratios[2],
                         capabilities=capabilities)
    session.add(node)
    if with_service:
        session.add(m.Service(host=name, binary=service_names.AGENT_BINARY, disabled=disabled,
                              last_seen_up=utcnow() - datetime.timedelta(seconds=seen_ago)))
    session.flush()
    return node


def add_group(session, policy, members=(), rules='{}', project_id='p'):
    group = m.ServerGroup(name=f'g-{policy}', project_id=project_id, user_id='u',
                          policy=policy, rules=rules)
    session.add(group)
    session.flush()
    for uuid in members:
        session.add(m.ServerGroupMember(group_id=group.id, instance_uuid=uuid))
    session.flush()
    return group


def add_aggregate(session, name, hosts, metadata):
    aggregate = m.Aggregate(name=name)
    session.add(aggregate)
    session.flush()
    for h in hosts:
        session.add(m.AggregateHost(aggregate_id=aggregate.id, host=h))
    for key, value in metadata.items():
        session.add(m.AggregateMetadata(aggregate_id=aggregate.id, key=key, value=value))
    session.flush()
    return aggregate
