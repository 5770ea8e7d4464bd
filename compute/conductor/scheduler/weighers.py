"""Ranking the hosts that passed the filters, and choosing one.

The ranking is lexicographic rather than Nova's sum of normalised weights:
a soft server-group policy comes first (``soft-affinity``: most members of
the group on the host; ``soft-anti-affinity``: fewest), then the resource
weigher of ``[scheduler] weigher``: ``spread`` ranks the most free RAM
first, then the most free vCPUs; ``pack`` the least.  Hosts that rank
equal are shuffled, and the choice is random among the best
``[scheduler] host_subset_size``, so that conductors scheduling at once
rarely pick the same host and lose claims to each other.
"""
import random


def _group_key(host, spec):
    group = spec.group
    if group is None or group.policy not in ('soft-affinity', 'soft-anti-affinity'):
        return 0
    members = group.members_by_node.get(host.node_id, 0)
    return -members if group.policy == 'soft-affinity' else members


def rank(hosts, spec, weigher, rng=random):
    """``hosts`` best first for ``spec`` under ``weigher`` (``spread`` or ``pack``)."""
    sign = -1 if weigher == 'spread' else 1
    shuffled = list(hosts)
    rng.shuffle(shuffled)
    return sorted(shuffled, key=lambda h: (_group_key(h, spec), sign * h.free_ram_mb,
                                           sign * h.free_vcpus))


def choose(hosts, spec, conf, rng=random):
    """One host among the best ``host_subset_size`` of ``hosts`` (not empty)."""
    ranked = rank(hosts, spec, conf.scheduler.weigher, rng)
    return rng.choice(ranked[:conf.scheduler.host_subset_size])
