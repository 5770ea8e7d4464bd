"""Ranking and choosing among the hosts that passed the filters."""
import random

from compute.conductor.scheduler import weighers
from compute.conductor.scheduler.host_state import GroupInfo
from tests.unit.compute.scheduler.factories import host, spec


def hosts():
    return [host('full', 1, memory_mb_used=3000, vcpus_used=1),
            host('empty', 2),
            host('half', 3, memory_mb_used=2000),
            host('empty-but-cpu', 4, vcpus_used=3)]


def names(ranked):
    return [h.host for h in ranked]


def test_spread_ranks_most_free_ram_then_vcpus_first():
    ranked = weighers.rank(hosts(), spec(), 'spread', random.Random(1))
    assert names(ranked) == ['empty', 'empty-but-cpu', 'half', 'full']


def test_pack_ranks_least_free_first():
    ranked = weighers.rank(hosts(), spec(), 'pack', random.Random(1))
    assert names(ranked) == ['full', 'half', 'empty-but-cpu', 'empty']


def test_equal_hosts_are_shuffled():
    equal = [host(f'h{i}', i) for i in range(10)]
    orders = {tuple(names(weighers.rank(equal, spec(), 'spread', random.Random(seed))))
              for seed in range(5)}
    assert len(orders) > 1


def soft(policy, members_by_node):
    return spec(group=GroupInfo(uuid='g', policy=policy, max_server_per_host=1,
                                members_by_node=members_by_node))


def test_soft_affinity_prefers_the_host_with_most_members():
    ranked = weighers.rank(hosts(), soft('soft-affinity', {1: 2, 3: 1}), 'spread')
    assert names(ranked) == ['full', 'half', 'empty', 'empty-but-cpu']


def test_soft_anti_affinity_prefers_hosts_without_members():
    ranked = weighers.rank(hosts(), soft('soft-anti-affinity', {2: 1, 4: 2}), 'spread')
    assert names(ranked) == ['half', 'full', 'empty', 'empty-but-cpu']


def test_choose_picks_among_the_best_subset(sched_conf):
    sched_conf.set_override('host_subset_size', 2, group='scheduler')
    chosen = {weighers.choose(hosts(), spec(), sched_conf, random.Random(seed)).host
              for seed in range(30)}
    assert chosen == {'empty', 'empty-but-cpu'}


def test_choose_with_subset_one_is_the_best(sched_conf):
    assert weighers.choose(hosts(), spec(), sched_conf).host == 'empty'
