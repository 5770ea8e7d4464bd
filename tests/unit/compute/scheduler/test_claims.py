"""Claims and releases on an in-memory SQLite database."""
import pytest
import sqlalchemy as sa

from compute.conductor.scheduler import claims, host_state
from compute.conductor.scheduler.errors import NoValidHost
from compute.db import models as m
from tests.unit.compute.scheduler.factories import RESOURCES, add_node


def read_host(session, conf, name):
    return host_state.load_hosts(session, conf, only_host=name)[0]


def node_row(db, name):
    with db.reader() as session:
        return session.execute(sa.select(m.ComputeNode).where(
            m.ComputeNode.host == name)).scalar_one()


def allocations(db, instance_uuid=None):
    with db.reader() as session:
        stmt = sa.select(m.Allocation)
        if instance_uuid:
            stmt = stmt.where(m.Allocation.instance_uuid == instance_uuid)
        return session.execute(stmt).scalars().all()


def test_claim_takes_resources_and_records_the_allocation(db, sched_conf):
    with db.writer() as session:
        add_node(session, 'h1')
    with db.writer() as session:
        assert claims.try_claim(session, read_host(session, sched_conf, 'h1'), 'vm1',
                                {'vcpus': 2, 'memory_mb': 1024, 'disk_gb': 10})
    node = node_row(db, 'h1')
    assert (node.vcpus_used, node.memory_mb_used, node.local_gb_used, node.running_vms,
            node.generation) == (2, 1024, 10, 1, 1)
    [allocation] = allocations(db, 'vm1')
    assert (allocation.node_id, allocation.vcpus, allocation.memory_mb,
            allocation.disk_gb) == (node.id, 2, 1024, 10)


def test_full_host_refuses(db, sched_conf):
    with db.writer() as session:
        add_node(session, 'h1', memory_mb=1000, ratios=(1.0, 1.5, 1.0))  # 1500 MiB
    big = {'vcpus': 1, 'memory_mb': 1000, 'disk_gb': 1}
    with db.writer() as session:
        assert claims.try_claim(session, read_host(session, sched_conf, 'h1'), 'vm1', big)
    with db.writer() as session:
        # The generation is current: only the capacity check refuses.
        assert not claims.try_claim(session, read_host(session, sched_conf, 'h1'), 'vm2', big)
    assert node_row(db, 'h1').memory_mb_used == 1000
    assert [a.instance_uuid for a in allocations(db)] == ['vm1']


def test_generation_mismatch_loses(db, sched_conf):
    with db.writer() as session:
        add_node(session, 'h1')
    with db.reader() as session:
        stale = read_host(session, sched_conf, 'h1')
    with db.writer() as session:
        assert claims.try_claim(session, stale, 'vm1', RESOURCES)
    with db.writer() as session:
        assert not claims.try_claim(session, stale, 'vm2', RESOURCES)
    assert node_row(db, 'h1').running_vms == 1
    assert allocations(db, 'vm2') == []


def test_release_is_idempotent(db, sched_conf):
    with db.writer() as session:
        add_node(session, 'h1')
        add_node(session, 'h2')
    with db.writer() as session:
        for name in ('h1', 'h2'):
            assert claims.try_claim(session, read_host(session, sched_conf, name), 'vm1',
                                    RESOURCES)
        assert claims.try_claim(session, read_host(session, sched_conf, 'h1'), 'other',
                                RESOURCES)
    with db.writer() as session:
        assert claims.release(session, 'vm1') == 2
    with db.writer() as session:
        assert claims.release(session, 'vm1') == 0
    h1, h2 = node_row(db, 'h1'), node_row(db, 'h2')
    assert (h1.vcpus_used, h1.memory_mb_used, h1.local_gb_used, h1.running_vms) == (1, 512, 1, 1)
    assert (h2.vcpus_used, h2.memory_mb_used, h2.local_gb_used, h2.running_vms) == (0, 0, 0, 0)
    assert [a.instance_uuid for a in allocations(db)] == ['other']


def test_release_of_one_node_keeps_the_other(db, sched_conf):
    with db.writer() as session:
        n1 = add_node(session, 'h1').id
        add_node(session, 'h2')
    with db.writer() as session:
        for name in ('h1', 'h2'):
            claims.try_claim(session, read_host(session, sched_conf, name), 'vm1', RESOURCES)
    with db.writer() as session:
        assert claims.release(session, 'vm1', node_id=n1) == 1
        assert claims.release(session, 'vm1', node_id=n1) == 0
    assert [a.node_id for a in allocations(db, 'vm1')] == [node_row(db, 'h2').id]
    assert node_row(db, 'h1').memory_mb_used == 0
    assert node_row(db, 'h2').memory_mb_used == 512


def test_resize_allocation_grows_within_room_and_shrinks_always(db, sched_conf):
    with db.writer() as session:
        add_node(session, 'h1', vcpus=4, memory_mb=4096)
    with db.writer() as session:
        assert claims.try_claim(session, read_host(session, sched_conf, 'h1'), 'vm1',
                                {'vcpus': 1, 'memory_mb': 1024, 'disk_gb': 1})
        assert claims.try_claim(session, read_host(session, sched_conf, 'h1'), 'vm2',
                                {'vcpus': 1, 'memory_mb': 2048, 'disk_gb': 1})
    claims.resize_allocation(db, 'vm1', 'h1', {'vcpus': 2, 'memory_mb': 2048, 'disk_gb': 5})
    node = node_row(db, 'h1')
    assert (node.vcpus_used, node.memory_mb_used, node.local_gb_used, node.running_vms) == \
        (3, 4096, 6, 2)
    with pytest.raises(NoValidHost):  # 1 MiB more than the host has
        claims.resize_allocation(db, 'vm1', 'h1', {'vcpus': 2, 'memory_mb': 2049,
                                                   'disk_gb': 5})
    assert node_row(db, 'h1').memory_mb_used == 4096
    assert [(a.vcpus, a.memory_mb) for a in allocations(db, 'vm1')] == [(2, 2048)]
    with db.writer() as session:  # a lowered ratio leaves the host oversubscribed
        session.execute(sa.update(m.ComputeNode).values(ram_allocation_ratio=0.5))
    claims.resize_allocation(db, 'vm1', 'h1', {'vcpus': 1, 'memory_mb': 1024, 'disk_gb': 1})
    node = node_row(db, 'h1')
    assert (node.vcpus_used, node.memory_mb_used, node.local_gb_used) == (2, 3072, 2)
    with pytest.raises(NoValidHost):
        claims.resize_allocation(db, 'vm3', 'h1', RESOURCES)
