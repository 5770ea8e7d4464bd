"""Resource claims: taking and giving back a server's share of a host, atomically.

A claim is ONE conditional UPDATE of the node::

    UPDATE compute_nodes SET vcpus_used = vcpus_used + :v, …,
           running_vms = running_vms + 1, generation = generation + 1
     WHERE id = :id AND generation = :gen
       AND vcpus_used + :v <= vcpus * cpu_allocation_ratio AND …

followed, in the same transaction, by the insert of the ``Allocation``.
The capacity test in the WHERE clause is what keeps a host from being
oversubscribed on every backend: PostgreSQL and MariaDB (READ COMMITTED)
make a second UPDATE of the row wait for the first to commit and then
re-evaluate the WHERE clause on the committed row; SQLite runs one writer
at a time.  The generation test makes a claim fail when anything changed
the node since the conductor read it, so the conductor re-reads and
chooses again with fresh numbers (and fresh group members).
"""
import dataclasses
import logging

import sqlalchemy as sa

from compute.conductor.scheduler.errors import NoValidHost
from compute.db import models as m

LOG = logging.getLogger(__name__)
N = m.ComputeNode


@dataclasses.dataclass(frozen=True)
class Claim:
    """Where a server's resources were claimed."""
    host: str
    node_id: int
    node_uuid: str
    hypervisor_hostname: str


def claim_from(host):
    return Claim(host=host.host, node_id=host.node_id, node_uuid=host.node_uuid,
                 hypervisor_hostname=host.hypervisor_hostname)


def try_claim(session, host, instance_uuid, resources):
    """Claim ``resources`` on ``host`` if it is unchanged since read and has room.

    :param host: a ``HostState`` (its ``node_id`` and ``generation`` are used).
    :returns: True when claimed (the allocation is added to ``session``);
        False when the node changed since it was read or is full.
    """
    v, ram, disk = (int(resources['vcpus']), int(resources['memory_mb']),
                    int(resources['disk_gb']))
    stmt = (sa.update(N)
            .where(N.id == host.node_id, N.generation == host.generation,
                   N.vcpus_used + v <= N.vcpus * N.cpu_allocation_ratio,
                   N.memory_mb_used + ram <= N.memory_mb * N.ram_allocation_ratio,
                   N.local_gb_used + disk <= N.local_gb * N.disk_allocation_ratio)
            .values(vcpus_used=N.vcpus_used + v, memory_mb_used=N.memory_mb_used + ram,
                    local_gb_used=N.local_gb_used + disk, running_vms=N.running_vms + 1,
                    generation=N.generation + 1)
            .execution_options(synchronize_session=False))
    if session.execute(stmt).rowcount != 1:
        return False
    session.add(m.Allocation(instance_uuid=instance_uuid, node_id=host.node_id, vcpus=v,
                             memory_mb=ram, disk_gb=disk))
    session.flush()
    return True


def release(session, instance_uuid, node_id=None):
    """Drop the server's allocations (all, or the one on ``node_id``) and free them.

    Idempotent, also when two conductors release at once: an allocation's
    resources are given back only by the transaction whose DELETE removed
    its row (the other's DELETE waits for the row lock and then finds
    nothing).

    :returns: the number of allocations released.
    """
    A = m.Allocation
    stmt = sa.select(A.id, A.node_id, A.vcpus, A.memory_mb, A.disk_gb).where(
        A.instance_uuid == instance_uuid)
    if node_id is not None:
        stmt = stmt.where(A.node_id == node_id)
    released = 0
    # Locked, so that a resize_allocation cannot change the values given back.
    for allocation in session.execute(stmt.with_for_update()).all():
        deleted = session.execute(sa.delete(A).where(A.id == allocation.id)
                                  .execution_options(synchronize_session=False)).rowcount
        if deleted != 1:
            continue
        session.execute(
            sa.update(N).where(N.id == allocation.node_id)
            .values(vcpus_used=N.vcpus_used - allocation.vcpus,
                    memory_mb_used=N.memory_mb_used - allocation.memory_mb,
                    local_gb_used=N.local_gb_used - allocation.disk_gb,
                    running_vms=N.running_vms - 1, generation=N.generation + 1)
            .execution_options(synchronize_session=False))
        released += 1
    return released


def resize_allocation(db, instance_uuid, host, resources):
    """Make the server's allocation on ``host`` be ``resources``, in one transaction.

    For a resize on the server's own host.  Like a claim it is one
    conditional UPDATE of the node, whose WHERE clause tests the room for
    what grows (what shrinks always fits, even on a host that a lowered
    allocation ratio left oversubscribed), and the allocation row changes
    in the same transaction: the server never holds less than before, nor
    can another conductor take the room in between.

    :raises NoValidHost: the server holds nothing on ``host``, or the host
        has no room for the growth.
    """
    A = m.Allocation
    wanted = {'vcpus': int(resources['vcpus']), 'memory_mb': int(resources['memory_mb']),
              'disk_gb': int(resources['disk_gb'])}
    with db.writer() as session:
        allocation = session.execute(sa.select(A).join(N, N.id == A.node_id).where(
            A.instance_uuid == instance_uuid, N.host == host)
            .with_for_update()).scalar_one_or_none()
        if allocation is None:
            raise NoValidHost(reason=f'The server holds no resources on host {host}.')
        delta = {name: value - getattr(allocation, name) for name, value in wanted.items()}
        room = {'vcpus': (N.vcpus_used, N.vcpus * N.cpu_allocation_ratio),
                'memory_mb': (N.memory_mb_used, N.memory_mb * N.ram_allocation_ratio),
                'disk_gb': (N.local_gb_used, N.local_gb * N.disk_allocation_ratio)}
        fits = [used + delta[name] <= capacity for name, (used, capacity) in room.items()
                if delta[name] > 0]
        stmt = (sa.update(N).where(N.id == allocation.node_id, *fits)
                .values(vcpus_used=N.vcpus_used + delta['vcpus'],
                        memory_mb_used=N.memory_mb_used + delta['memory_mb'],
                        local_gb_used=N.local_gb_used + delta['disk_gb'],
                        generation=N.generation + 1)
                .execution_options(synchronize_session=False))
        if session.execute(stmt).rowcount != 1:
            raise NoValidHost(reason=f'Host {host} has no room for the new size.')
        for name, value in wanted.items():
            setattr(allocation, name, value)
