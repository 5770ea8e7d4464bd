"""Conductors claiming at once, on every database backend, never oversubscribe.

Several threads (standing in for conductors) call the scheduler against
one database at the same time: on MariaDB and PostgreSQL their claims run
side by side and race for the same rows, on SQLite one after the other.
Whatever the interleaving, no node may be given more than its total times
its allocation ratio, the allocations must add up to what the nodes say is
used, and the members of a hard anti-affinity group never share a host.
"""
import collections
import threading
import uuid

import pytest
import sqlalchemy as sa

from common.db import migration
from common.db.session import Database
from common.db.types import utcnow
from compute import conf as compute_conf
from compute import service_names
from compute.conductor import scheduler
from compute.conductor.scheduler import claims
from compute.db import models as m
from tests import servers
from tests.unit import make_conf

THREADS = 8
HOSTS = ('host-a', 'host-b', 'host-c')
SERVER = {'vcpus': 1, 'memory_mb': 512, 'disk_gb': 1}


@pytest.fixture(params=servers.BACKENDS)
def db(request, tmp_path):
    with servers.database(request.param, str(tmp_path)) as url:
        database = Database(url, pool_size=THREADS)
        try:
            migration.upgrade(database, 'compute.db.migrations')
            yield database
        finally:
            database.dispose()


@pytest.fixture
def conf(tmp_path):
    return make_conf(tmp_path / 'conf', register=compute_conf.register_opts)


def add_hosts(db, vcpus=2, memory_mb=4096, cpu_ratio=3.0):
    """Three small hosts: ``vcpus * cpu_ratio`` servers of ``SERVER`` each."""
    with db.writer() as session:
        for host in HOSTS:
            session.add(m.ComputeNode(
                host=host, hypervisor_hostname=host, hypervisor_type='fake', vcpus=vcpus,
                memory_mb=memory_mb, local_gb=100, cpu_allocation_ratio=cpu_ratio,
                ram_allocation_ratio=1.0, disk_allocation_ratio=1.0))
            session.add(m.Service(host=host, binary=service_names.AGENT_BINARY,
                                  last_seen_up=utcnow()))


def run_threads(target, count=THREADS):
    """``target(index)`` in ``count`` threads released at once; their exceptions re-raised."""
    barrier = threading.Barrier(count)
    errors = []

    def run(index):
        try:
            barrier.wait(30)
            target(index)
        except Exception as exc:  # reported below, so a failing thread fails the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not [t for t in threads if t.is_alive()], 'a claiming thread hung'
    if errors:
        raise errors[0]


def check_books(db):
    """No node beyond total x ratio, and the allocations add up to what is used."""
    with db.reader() as session:
        nodes = session.execute(sa.select(m.ComputeNode)).scalars().all()
        allocations = session.execute(sa.select(m.Allocation)).scalars().all()
    for node in nodes:
        mine = [a for a in allocations if a.node_id == node.id]
        assert node.vcpus_used <= node.vcpus * node.cpu_allocation_ratio, node.host
        assert node.memory_mb_used <= node.memory_mb * node.ram_allocation_ratio, node.host
        assert node.local_gb_used <= node.local_gb * node.disk_allocation_ratio, node.host
        assert node.vcpus_used == sum(a.vcpus for a in mine), node.host
        assert node.memory_mb_used == sum(a.memory_mb for a in mine), node.host
        assert node.local_gb_used == sum(a.disk_gb for a in mine), node.host
        assert node.running_vms == len(mine), node.host
    return {node.id: node for node in nodes}, allocations


def test_racing_claims_fill_hosts_exactly(db, conf):
    add_hosts(db)  # 6 servers per host (2 vCPUs x 3.0), 18 in all
    claimed = collections.Counter()

    def claim_until_full(index):
        while True:
            try:
                claim = scheduler.select_and_claim(db, conf, str(uuid.uuid4()), SERVER, {})
            except scheduler.NoValidHost:
                return
            claimed[claim.host] += 1  # Counter updates are atomic enough under the GIL

    run_threads(claim_until_full)
    nodes, allocations = check_books(db)
    assert len(allocations) == 18
    assert all(node.vcpus_used == 6 for node in nodes.values())
    assert claimed == {host: 6 for host in HOSTS}


def test_racing_claims_and_releases_keep_the_books(db, conf):
    add_hosts(db, vcpus=1, cpu_ratio=2.0)  # 2 servers per host, 6 in all: much contention

    def churn(index):
        for _ in range(5):
            server = str(uuid.uuid4())
            try:
                scheduler.select_and_claim(db, conf, server, SERVER, {})
            except scheduler.NoValidHost:
                continue
            with db.writer() as session:
                assert claims.release(session, server) == 1

    run_threads(churn)
    nodes, allocations = check_books(db)
    assert allocations == []
    assert all(node.vcpus_used == 0 for node in nodes.values())


def test_releasing_one_server_at_once_frees_it_once(db, conf):
    add_hosts(db)
    scheduler.select_and_claim(db, conf, 'vm', SERVER, {})
    released = []

    def release(index):
        with db.writer() as session:
            released.append(claims.release(session, 'vm'))

    run_threads(release)
    assert sorted(released) == [0] * (THREADS - 1) + [1]
    nodes, allocations = check_books(db)
    assert allocations == [] and all(n.vcpus_used == 0 for n in nodes.values())


def add_group(db, policy, members):
    with db.writer() as session:
        group = m.ServerGroup(name=policy, project_id='p', user_id='u', policy=policy)
        session.add(group)
        session.flush()
        for member in members:
            session.add(m.ServerGroupMember(group_id=group.id, instance_uuid=member))
        return group.uuid


@pytest.mark.parametrize('round_', range(3))
def test_racing_anti_affinity_members_never_share_a_host(db, conf, round_):
    add_hosts(db)
    members = [f'member-{i}' for i in range(THREADS)]
    group = add_group(db, 'anti-affinity', members)
    placed, refused = {}, []

    def claim(index):
        try:
            placed[members[index]] = scheduler.select_and_claim(
                db, conf, members[index], SERVER, {'group': group}).host
        except scheduler.NoValidHost:
            refused.append(members[index])

    run_threads(claim)
    assert sorted(placed.values()) == sorted(HOSTS)
    assert len(refused) == THREADS - len(HOSTS)
    nodes, allocations = check_books(db)
    assert sorted(nodes[a.node_id].host for a in allocations) == sorted(HOSTS)


def test_racing_affinity_members_share_one_host(db, conf):
    add_hosts(db)  # 6 servers fit on a host
    members = [f'member-{i}' for i in range(6)]
    group = add_group(db, 'affinity', members)
    placed = {}

    def claim(index):
        placed[members[index]] = scheduler.select_and_claim(
            db, conf, members[index], SERVER, {'group': group}).host

    run_threads(claim, count=len(members))
    assert len(set(placed.values())) == 1
    check_books(db)
