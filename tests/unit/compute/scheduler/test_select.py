"""``select_and_claim`` end to end on an in-memory SQLite database."""
import pytest
import sqlalchemy as sa

from compute.conductor import scheduler
from compute.conductor.scheduler import claims
from compute.db import models as m
from tests.unit.compute.scheduler.factories import (RESOURCES, add_aggregate, add_group,
                                                    add_node)


def select(db, conf, instance_uuid='vm1', request_spec=None, resources=RESOURCES, **kw):
    return scheduler.select_and_claim(db, conf, instance_uuid, resources, request_spec or {},
                                      **kw)


def nodes(db, *specs):
    with db.writer() as session:
        for name, kw in specs:
            add_node(session, name, **kw)


def used(db):
    with db.reader() as session:
        return {n.host: n.memory_mb_used for n in session.execute(
            sa.select(m.ComputeNode)).scalars()}


def test_spread_claims_on_the_emptiest_host(db, sched_conf):
    nodes(db, ('busy', {'memory_mb': 8192}), ('big', {'memory_mb': 16384}))
    claim = select(db, sched_conf)
    assert claim.host == 'big' and claim.hypervisor_hostname == 'big.example'
    assert used(db) == {'busy': 0, 'big': 512}


def test_pack_fills_one_host_first(db, sched_conf):
    sched_conf.set_override('weigher', 'pack', group='scheduler')
    nodes(db, ('a', {}), ('b', {}))
    first = select(db, sched_conf, 'vm1').host
    # 4 vCPUs per host: vm1-vm4 on one host, vm5 on the other
    assert {select(db, sched_conf, f'vm{i}').host for i in range(2, 5)} == {first}
    assert select(db, sched_conf, 'vm5').host != first


def test_spread_spreads(db, sched_conf):
    nodes(db, ('a', {}), ('b', {}), ('c', {}))
    assert {select(db, sched_conf, f'vm{i}').host for i in range(3)} == {'a', 'b', 'c'}


def test_down_disabled_and_unrecorded_hosts_are_skipped(db, sched_conf):
    nodes(db, ('down', {'seen_ago': 3600, 'memory_mb': 9000}),
          ('disabled', {'disabled': True, 'memory_mb': 9000}),
          ('unrecorded', {'with_service': False, 'memory_mb': 9000}), ('ok', {}))
    assert select(db, sched_conf).host == 'ok'


def test_no_host_fits(db, sched_conf):
    nodes(db, ('small', {'memory_mb': 256}))
    with pytest.raises(scheduler.NoValidHost) as raised:
        select(db, sched_conf)
    assert raised.value.message == ('No valid host was found. '
                                    'There are not enough hosts available.')
    assert used(db) == {'small': 0}


def test_fills_hosts_to_their_ratio_and_no_further(db, sched_conf):
    nodes(db, ('a', {'memory_mb': 1024, 'ratios': (1.0, 1.5, 1.0)}),
          ('b', {'memory_mb': 1024}))
    for i in range(5):  # 3 fit on a (1536 MiB), 2 on b
        select(db, sched_conf, f'vm{i}')
    with pytest.raises(scheduler.NoValidHost):
        select(db, sched_conf, 'vm5')
    assert used(db) == {'a': 1536, 'b': 1024}


def test_exclude_hosts(db, sched_conf):
    nodes(db, ('a', {'memory_mb': 9000}), ('b', {}))
    assert select(db, sched_conf, exclude_hosts=('a',)).host == 'b'


def test_a_host_the_server_already_uses_is_not_chosen(db, sched_conf):
    nodes(db, ('a', {'memory_mb': 9000}), ('b', {}))
    assert select(db, sched_conf).host == 'a'
    assert select(db, sched_conf).host == 'b'  # a resize: the second allocation
    with pytest.raises(scheduler.NoValidHost):
        select(db, sched_conf)


class TestZones:
    @pytest.fixture(autouse=True)
    def _hosts(self, db):
        nodes(db, ('a1', {}), ('a2', {'memory_mb': 9000}), ('b1', {'memory_mb': 9000}))
        with db.writer() as session:
            add_aggregate(session, 'agg-a', ['a1', 'a2'], {'availability_zone': 'zone-a'})

    def test_zone(self, db, sched_conf):
        assert select(db, sched_conf, request_spec={'availability_zone': 'zone-a'}).host == 'a2'
        assert select(db, sched_conf, 'vm2',
                      request_spec={'availability_zone': 'nova'}).host == 'b1'

    def test_zone_and_host(self, db, sched_conf):
        assert select(db, sched_conf,
                      request_spec={'availability_zone': 'zone-a:a1'}).host == 'a1'
        with pytest.raises(scheduler.NoValidHost):
            select(db, sched_conf, 'vm2', request_spec={'availability_zone': 'nova:a1'})

    def test_host_and_node_without_zone(self, db, sched_conf):
        claim = select(db, sched_conf, request_spec={'availability_zone': '::b1.example'})
        assert claim.host == 'b1'
        with pytest.raises(scheduler.NoValidHost):
            select(db, sched_conf, 'vm2', request_spec={'availability_zone': ':b1:other'})

    def test_default_schedule_zone(self, db, sched_conf):
        sched_conf.set_override('default_schedule_zone', 'zone-a', group='compute')
        assert select(db, sched_conf).host == 'a2'

    def test_unknown_zone(self, db, sched_conf):
        with pytest.raises(scheduler.NoValidHost):
            select(db, sched_conf, request_spec={'availability_zone': 'nowhere'})


def test_aggregate_instance_extra_specs(db, sched_conf):
    nodes(db, ('ssd', {}), ('hdd', {'memory_mb': 9000}))
    with db.writer() as session:
        add_aggregate(session, 'fast', ['ssd'], {'disk': 'ssd'})
    spec = {'flavor_extra_specs': {'aggregate_instance_extra_specs:disk': 'ssd'}}
    assert select(db, sched_conf, request_spec=spec).host == 'ssd'


def test_image_properties(db, sched_conf):
    nodes(db, ('x86', {'memory_mb': 9000}),
          ('arm', {'capabilities': '{"cpu_arch": "aarch64", "hypervisor_type": "qemu"}'}))
    spec = {'image': {'id': 'i', 'properties': {'hw_architecture': 'aarch64'}}}
    assert select(db, sched_conf, request_spec=spec).host == 'arm'


class TestServerGroups:
    def group(self, db, policy, members=('vm1', 'vm2', 'vm3'), rules='{}'):
        with db.writer() as session:
            return add_group(session, policy, members, rules).uuid

    def test_anti_affinity_places_members_apart(self, db, sched_conf):
        sched_conf.set_override('weigher', 'pack', group='scheduler')
        nodes(db, ('a', {}), ('b', {}), ('c', {}))
        spec = {'group': self.group(db, 'anti-affinity', ('vm1', 'vm2', 'vm3', 'vm4'))}
        hosts = {select(db, sched_conf, vm, spec).host for vm in ('vm1', 'vm2', 'vm3')}
        assert hosts == {'a', 'b', 'c'}
        with pytest.raises(scheduler.NoValidHost):
            select(db, sched_conf, 'vm4', spec)

    def test_anti_affinity_max_server_per_host(self, db, sched_conf):
        nodes(db, ('a', {}), ('b', {}))
        group = self.group(db, 'anti-affinity', [f'vm{i}' for i in range(5)],
                           rules='{"max_server_per_host": 2}')
        hosts = [select(db, sched_conf, f'vm{i}', {'group': group}).host for i in range(4)]
        assert sorted(hosts) == ['a', 'a', 'b', 'b']
        with pytest.raises(scheduler.NoValidHost):
            select(db, sched_conf, 'vm4', {'group': group})

    def test_affinity_keeps_members_together(self, db, sched_conf):
        nodes(db, ('a', {}), ('b', {}), ('c', {}))
        group = self.group(db, 'affinity')
        hosts = {select(db, sched_conf, vm, {'group': group}).host for vm in ('vm1', 'vm2', 'vm3')}
        assert len(hosts) == 1

    def test_soft_anti_affinity_spreads_even_when_packing(self, db, sched_conf):
        sched_conf.set_override('weigher', 'pack', group='scheduler')
        nodes(db, ('a', {}), ('b', {}), ('c', {}))
        group = self.group(db, 'soft-anti-affinity')
        hosts = {select(db, sched_conf, vm, {'group': group}).host for vm in ('vm1', 'vm2', 'vm3')}
        assert hosts == {'a', 'b', 'c'}

    def test_soft_affinity_groups_even_when_spreading(self, db, sched_conf):
        nodes(db, ('a', {}), ('b', {}), ('c', {}))
        group = self.group(db, 'soft-affinity')
        hosts = {select(db, sched_conf, vm, {'group': group}).host for vm in ('vm1', 'vm2', 'vm3')}
        assert len(hosts) == 1

    def test_a_deleted_group_constrains_nothing(self, db, sched_conf):
        nodes(db, ('a', {}))
        spec = {'group': 'no-such-group'}
        assert select(db, sched_conf, 'vm1', spec).host == 'a'
        assert select(db, sched_conf, 'vm2', spec).host == 'a'


class TestLostRaces:
    """Another conductor changes the chosen node between the read and the claim."""

    @pytest.fixture
    def rival(self, monkeypatch):
        """Make the claims on the hosts in ``rival.hosts`` lose (the node changed)."""
        real = claims.try_claim

        class Rival:
            hosts = set()
            attempts = []

            @staticmethod
            def try_claim(session, host, instance_uuid, resources):
                Rival.attempts.append(host.host)
                if host.host in Rival.hosts:
                    session.execute(sa.update(m.ComputeNode)
                                    .where(m.ComputeNode.id == host.node_id)
                                    .values(generation=m.ComputeNode.generation + 1))
                return real(session, host, instance_uuid, resources)
        monkeypatch.setattr(claims, 'try_claim', Rival.try_claim)
        return Rival

    def test_a_host_lost_claim_retries_times_is_given_up(self, db, sched_conf, rival):
        sched_conf.set_override('claim_retries', 3, group='scheduler')
        nodes(db, ('best', {'memory_mb': 9000}), ('other', {}))
        rival.hosts = {'best'}
        assert select(db, sched_conf).host == 'other'
        assert rival.attempts == ['best', 'best', 'best', 'other']

    def test_retry_succeeds_once_the_race_is_over(self, db, sched_conf, rival):
        nodes(db, ('only', {}))
        rival.hosts = {'only'}
        real = rival.try_claim

        def lose_once(session, host, instance_uuid, resources):
            if len(rival.attempts) == 1:
                rival.hosts = set()
            return real(session, host, instance_uuid, resources)
        claims.try_claim = lose_once
        assert select(db, sched_conf).host == 'only'
        assert rival.attempts == ['only', 'only']

    def test_every_host_lost(self, db, sched_conf, rival):
        sched_conf.set_override('claim_retries', 2, group='scheduler')
        nodes(db, ('a', {}), ('b', {}))
        rival.hosts = {'a', 'b'}
        with pytest.raises(scheduler.NoValidHost):
            select(db, sched_conf)
        assert sorted(rival.attempts) == ['a', 'a', 'b', 'b']
        with db.reader() as session:
            assert session.execute(sa.select(m.Allocation)).all() == []
