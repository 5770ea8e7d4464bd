"""The scheduler, inside the conductor: choose a host for a server and claim it.

``select_and_claim`` reads the hosts, filters (``filters``), ranks and
picks (``weighers``) and claims (``claims``) in one transaction per
attempt.  A claim lost to another conductor (the node changed since it was
read) is retried on fresh numbers; a host lost ``[scheduler]
claim_retries`` times is given up for the others.

Server groups: the group's row is locked (``SELECT … FOR UPDATE``) at the
start of each attempt, and the members' hosts are read after the lock, so
the members of one group are placed one after another and each sees where
the previous ones went.  Locking the group is simpler than relying on node
generations, and it is the only way to make hard *affinity* atomic: two
first members racing would otherwise each pick a different empty host.
Locks are taken in one order (group, then nodes), so attempts cannot
deadlock.
"""
import collections
import logging

from compute.conductor.scheduler import claims
from compute.conductor.scheduler import filters
from compute.conductor.scheduler import host_state
from compute.conductor.scheduler import weighers
from compute.conductor.scheduler.claims import Claim
from compute.conductor.scheduler.errors import NoValidHost

__all__ = ['Claim', 'NoValidHost', 'select_and_claim']

LOG = logging.getLogger(__name__)
NOT_ENOUGH_HOSTS = 'There are not enough hosts available.'


def select_and_claim(db, conf, instance_uuid, resources, request_spec, exclude_hosts=()):
    """Choose a host for a server and claim its resources there.

    :param resources: ``{"vcpus", "memory_mb", "disk_gb"}`` to claim.
    :param request_spec: the server's ``request_spec`` dict
        (``availability_zone``, ``group``, ``image`` {``properties``},
        ``flavor_extra_specs`` …).
    :param exclude_hosts: hosts not to use (those a build already failed on).
    :returns: the ``Claim``; the allocation is committed.
    :raises NoValidHost: no host passes the filters, or all that did were
        lost to other claims ``claim_retries`` times each.
    """
    spec = host_state.RequestSpec.build(request_spec, resources, conf, exclude_hosts)
    lost = collections.Counter()
    while True:
        with db.writer() as session:
            hosts = filters.run(host_state.load(session, conf, spec, instance_uuid), spec,
                                instance_uuid)
            hosts = [h for h in hosts if lost[h.node_id] < conf.scheduler.claim_retries]
            if not hosts:
                raise NoValidHost(reason=NOT_ENOUGH_HOSTS)
            chosen = weighers.choose(hosts, spec, conf)
            if claims.try_claim(session, chosen, instance_uuid, resources):
                LOG.debug('Claimed %s for server %s', chosen.host, instance_uuid)
                return claims.claim_from(chosen)
        lost[chosen.node_id] += 1
        LOG.debug('Lost the claim on %s for server %s (%d times); choosing again',
                  chosen.host, instance_uuid, lost[chosen.node_id])
