"""Host filters: each keeps the hosts a request may be placed on, as Nova's do.

A filter is an object with a ``name`` and ``host_passes(host, spec)``
(``host_state.HostState``, ``host_state.RequestSpec``); ``run`` applies
them in order and logs, per filter, how many hosts remain.
"""
import logging
import operator

LOG = logging.getLogger(__name__)


class ComputeFilter:
    """The host's agent is enabled and up (heard from recently, not forced down)."""
    name = 'ComputeFilter'

    def host_passes(self, host, spec):
        return host.enabled and host.up


class AvailabilityZoneFilter:
    """The host is in the requested zone and is the requested host or node, if any."""
    name = 'AvailabilityZoneFilter'

    def host_passes(self, host, spec):
        if spec.zone is not None and host.zone != spec.zone:
            return False
        if spec.force_host is not None and host.host != spec.force_host:
            return False
        return spec.force_node is None or host.hypervisor_hostname == spec.force_node


class RamFilter:
    """Enough RAM is free, counting the node's allocation ratio."""
    name = 'RamFilter'

    def host_passes(self, host, spec):
        return host.free_ram_mb >= spec.memory_mb


class DiskFilter:
    """Enough local disk is free, counting the node's allocation ratio."""
    name = 'DiskFilter'

    def host_passes(self, host, spec):
        return host.free_disk_gb >= spec.disk_gb


class CoreFilter:
    """Enough vCPUs are free, counting the node's allocation ratio."""
    name = 'CoreFilter'

    def host_passes(self, host, spec):
        return host.free_vcpus >= spec.vcpus


def _canonical_arch(value):
    value = value.lower()
    if value == 'amd64':
        return 'x86_64'
    if value in ('i386', 'i486', 'i586'):
        return 'i686'
    return value


def _canonical_hv_type(value):
    value = value.lower()
    return 'xen' if value == 'xapi' else value


def _canonical_vm_mode(value):
    value = value.lower()
    return {'pv': 'xen', 'hv': 'hvm', 'baremetal': 'hvm'}.get(value, value)


def supported_instances(host):
    """``{(arch, hypervisor type, vm mode)}`` the host can run.

    From the capability ``supported_instances`` (a list of triples) when
    the agent reports it; otherwise ``cpu_arch`` with the host's hypervisor
    type in ``hvm`` mode (a ``kvm`` host also runs ``qemu`` guests, as
    Nova's libvirt driver reports).
    """
    caps = host.capabilities
    if caps.get('supported_instances'):
        return {(_canonical_arch(a), _canonical_hv_type(h), _canonical_vm_mode(v))
                for a, h, v in caps['supported_instances']}
    arch = caps.get('cpu_arch')
    hv_type = caps.get('hypervisor_type') or host.hypervisor_type
    if not arch or not hv_type:
        return set()
    hv_types = {_canonical_hv_type(hv_type)}
    if 'kvm' in hv_types:
        hv_types.add('qemu')
    return {(_canonical_arch(arch), t, 'hvm') for t in hv_types}


class ImagePropertiesFilter:
    """The host can run the image's architecture, hypervisor type and VM mode.

    Reads ``hw_architecture``, ``img_hv_type`` and ``hw_vm_mode`` (or their
    legacy names ``architecture``, ``hypervisor_type`` and ``vm_mode``); an
    image that asks for none of them fits any host, one that asks for any
    does not fit a host that reports nothing it supports.
    """
    name = 'ImagePropertiesFilter'
    _PROPERTIES = ((('hw_architecture', 'architecture'), _canonical_arch),
                   (('img_hv_type', 'hypervisor_type'), _canonical_hv_type),
                   (('hw_vm_mode', 'vm_mode'), _canonical_vm_mode))

    def _wanted(self, properties):
        wanted = []
        for names, canonical in self._PROPERTIES:
            value = next((properties[n] for n in names if properties.get(n)), None)
            wanted.append(canonical(str(value)) if value else None)
        return wanted

    def host_passes(self, host, spec):
        wanted = self._wanted(spec.image_properties)
        if not any(wanted):
            return True
        return any(all(w is None or w == have for w, have in zip(wanted, triple))
                   for triple in supported_instances(host))


class ServerGroupAffinityFilter:
    """Hard affinity: once a member holds resources, the others go to its host."""
    name = 'ServerGroupAffinityFilter'

    def host_passes(self, host, spec):
        group = spec.group
        if group is None or group.policy != 'affinity' or not group.members_by_node:
            return True
        return group.members_by_node.get(host.node_id, 0) > 0


class ServerGroupAntiAffinityFilter:
    """Hard anti-affinity: fewer than ``max_server_per_host`` members on the host."""
    name = 'ServerGroupAntiAffinityFilter'

    def host_passes(self, host, spec):
        group = spec.group
        if group is None or group.policy != 'anti-affinity':
            return True
        return group.members_by_node.get(host.node_id, 0) < group.max_server_per_host


_OPERATORS = {
    # Nova's odd "=": a numeric minimum, not equality.
    '=': lambda have, want: float(have) >= float(want),
    '<in>': lambda have, want: want in have,
    '<all-in>': lambda have, want: all(w in have for w in want),
    '==': lambda have, want: float(have) == float(want),
    '!=': lambda have, want: float(have) != float(want),
    '>=': lambda have, want: float(have) >= float(want),
    '<=': lambda have, want: float(have) <= float(want),
    's==': operator.eq, 's!=': operator.ne, 's<': operator.lt,
    's<=': operator.le, 's>': operator.gt, 's>=': operator.ge,
}


def match_extra_spec(have, requirement):
    """Whether value ``have`` satisfies a Nova extra-spec ``requirement``.

    ``requirement`` is a plain value (string equality) or an operator
    expression: ``<or> a <or> b``, ``<in> x``, ``<all-in> x y``, ``= 4``
    (at least 4), ``== 4``, ``>= 4``, ``s== text`` … as in Nova's
    ``extra_specs_ops``.

    :raises ValueError: a numeric operator meets a value that is no number.
    """
    words = requirement.split()
    op = words.pop(0) if words else None
    if op == '<or>':
        return have in words[::2]
    method = _OPERATORS.get(op)
    if method is None:
        return have == requirement
    if not words:
        return False
    return method(have, words) if op == '<all-in>' else method(have, words[0])


class AggregateInstanceExtraSpecsFilter:
    """Flavor extra specs ``aggregate_instance_extra_specs:<key>`` match an aggregate.

    Some aggregate of the host must have metadata ``<key>`` with a value
    that satisfies the spec.  Unscoped extra specs are not matched (Nova
    matches them too, which makes any flavor with a plain key unusable
    outside aggregates).
    """
    name = 'AggregateInstanceExtraSpecsFilter'

    def host_passes(self, host, spec):
        for key, requirement in spec.aggregate_specs().items():
            values = host.aggregate_metadata.get(key)
            if not values:
                return False
            try:
                if not any(match_extra_spec(v, requirement) for v in values):
                    return False
            except ValueError:
                return False
        return True


FILTERS = (ComputeFilter(), AvailabilityZoneFilter(), RamFilter(), DiskFilter(), CoreFilter(),
           ImagePropertiesFilter(), ServerGroupAffinityFilter(),
           ServerGroupAntiAffinityFilter(), AggregateInstanceExtraSpecsFilter())


def run(hosts, spec, instance_uuid, filters=FILTERS):
    """The hosts that pass every filter for server ``instance_uuid``; logs which left none."""
    for host_filter in filters:
        before = len(hosts)
        hosts = [h for h in hosts if host_filter.host_passes(h, spec)]
        LOG.debug('Filter %s returned %d of %d hosts for server %s', host_filter.name,
                  len(hosts), before, instance_uuid)
        if not hosts:
            if before:
                LOG.info('Filter %s left no host (of %d) for server %s', host_filter.name,
                         before, instance_uuid)
            break
    return hosts
