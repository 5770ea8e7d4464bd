"""What the scheduler knows: the request it places, and every host's state.

Host states are read from the database in a handful of queries per
selection, whatever the number of hosts (the scheduler runs for every
server built, so no query per host): the compute nodes with their agent
service records, then, only when the request needs them, the zones, the
aggregates' metadata and where the server group's members are.
"""
import collections
import dataclasses
import json

import sqlalchemy as sa

from common.db.service_records import is_up
from compute import service_names
from compute import zones
from compute.db import models as m

# Flavor extra specs in this scope must match the metadata of an aggregate
# of the host (Nova's AggregateInstanceExtraSpecsFilter).
AGGREGATE_SCOPE = 'aggregate_instance_extra_specs'


@dataclasses.dataclass(frozen=True)
class GroupInfo:
    """The server group the server is in, and where its other members are.

    :ivar members_by_node: ``{node id: members of the group holding resources
        there}``, counted from allocations (``instances.host`` is set only
        once a build succeeds, too late for servers being scheduled at once).
    """
    uuid: str
    policy: str
    max_server_per_host: int
    members_by_node: dict


@dataclasses.dataclass
class RequestSpec:
    """One placement request: resources plus the constraints of ``instances.request_spec``."""
    vcpus: int
    memory_mb: int
    disk_gb: int
    zone: str | None = None
    force_host: str | None = None
    force_node: str | None = None
    group_uuid: str | None = None
    image_properties: dict = dataclasses.field(default_factory=dict)
    flavor_extra_specs: dict = dataclasses.field(default_factory=dict)
    exclude_hosts: frozenset = frozenset()
    group: GroupInfo | None = None

    @classmethod
    def build(cls, request_spec, resources, conf, exclude_hosts=()):
        """The spec of ``request_spec`` (the stored JSON dict) and ``resources``.

        ``availability_zone`` may be ``zone``, ``zone:host`` or
        ``zone:host:node`` (an empty zone part means any zone); with none,
        ``[compute] default_schedule_zone`` applies.
        """
        zone, host, node = _parse_zone(request_spec.get('availability_zone'))
        if zone is None and host is None:
            zone = conf.compute.default_schedule_zone or None
        image = request_spec.get('image') or {}
        return cls(vcpus=int(resources['vcpus']), memory_mb=int(resources['memory_mb']),
                   disk_gb=int(resources['disk_gb']), zone=zone, force_host=host,
                   force_node=node, group_uuid=request_spec.get('group'),
                   image_properties=dict(image.get('properties') or {}),
                   flavor_extra_specs=dict(request_spec.get('flavor_extra_specs') or {}),
                   exclude_hosts=frozenset(exclude_hosts))

    def aggregate_specs(self):
        """``{metadata key: wanted value}`` of the aggregate-scoped extra specs."""
        prefix = AGGREGATE_SCOPE + ':'
        return {key[len(prefix):]: value for key, value in self.flavor_extra_specs.items()
                if key.startswith(prefix)}


def _parse_zone(value):
    """``(zone, host, node)`` of an ``availability_zone`` request; parts may be None."""
    if not value:
        return None, None, None
    zone, _, rest = value.partition(':')
    host, _, node = rest.partition(':')
    return zone or None, host or None, node or None


@dataclasses.dataclass
class HostState:
    """One compute node as the filters and weighers see it."""
    node_id: int
    node_uuid: str
    host: str
    hypervisor_hostname: str
    hypervisor_type: str
    vcpus: int
    memory_mb: int
    local_gb: int
    vcpus_used: int
    memory_mb_used: int
    local_gb_used: int
    running_vms: int
    cpu_allocation_ratio: float
    ram_allocation_ratio: float
    disk_allocation_ratio: float
    generation: int
    capabilities: dict = dataclasses.field(default_factory=dict)
    enabled: bool = True
    up: bool = True
    zone: str | None = None
    # {metadata key: {values}} over the aggregates the host is in
    aggregate_metadata: dict = dataclasses.field(default_factory=dict)

    @property
    def free_vcpus(self):
        return self.vcpus * self.cpu_allocation_ratio - self.vcpus_used

    @property
    def free_ram_mb(self):
        return self.memory_mb * self.ram_allocation_ratio - self.memory_mb_used

    @property
    def free_disk_gb(self):
        return self.local_gb * self.disk_allocation_ratio - self.local_gb_used


_NODE_COLUMNS = (m.ComputeNode.id, m.ComputeNode.uuid, m.ComputeNode.host,
                 m.ComputeNode.hypervisor_hostname, m.ComputeNode.hypervisor_type,
                 m.ComputeNode.vcpus, m.ComputeNode.memory_mb, m.ComputeNode.local_gb,
                 m.ComputeNode.vcpus_used, m.ComputeNode.memory_mb_used,
                 m.ComputeNode.local_gb_used, m.ComputeNode.running_vms,
                 m.ComputeNode.cpu_allocation_ratio, m.ComputeNode.ram_allocation_ratio,
                 m.ComputeNode.disk_allocation_ratio, m.ComputeNode.generation,
                 m.ComputeNode.capabilities)


def _capabilities(text):
    try:
        value = json.loads(text or '{}')
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def load_hosts(session, conf, *, only_host=None):
    """Every compute node (or the one of ``only_host``) with its agent's state.

    A node whose agent has no service record is treated as down.
    """
    stmt = (sa.select(*_NODE_COLUMNS, m.Service.disabled, m.Service.forced_down,
                      m.Service.last_seen_up)
            .outerjoin(m.Service, sa.and_(m.Service.host == m.ComputeNode.host,
                                          m.Service.binary == service_names.AGENT_BINARY))
            .order_by(m.ComputeNode.id))
    if only_host is not None:
        stmt = stmt.where(m.ComputeNode.host == only_host)
    hosts = []
    for row in session.execute(stmt):
        has_record = row.disabled is not None  # NULL: no agent record (outer join)
        hosts.append(HostState(
            node_id=row.id, node_uuid=row.uuid, host=row.host,
            hypervisor_hostname=row.hypervisor_hostname, hypervisor_type=row.hypervisor_type,
            vcpus=row.vcpus, memory_mb=row.memory_mb, local_gb=row.local_gb,
            vcpus_used=row.vcpus_used, memory_mb_used=row.memory_mb_used,
            local_gb_used=row.local_gb_used, running_vms=row.running_vms,
            cpu_allocation_ratio=row.cpu_allocation_ratio,
            ram_allocation_ratio=row.ram_allocation_ratio,
            disk_allocation_ratio=row.disk_allocation_ratio, generation=row.generation,
            capabilities=_capabilities(row.capabilities),
            enabled=has_record and not row.disabled,
            up=has_record and is_up(row, conf.report_interval, conf.service_down_time)))
    return hosts


def _aggregate_metadata(session, host_names):
    """``{host: {key: {values}}}`` over the aggregates of the given hosts."""
    stmt = (sa.select(m.AggregateHost.host, m.AggregateMetadata.key, m.AggregateMetadata.value)
            .join(m.AggregateMetadata,
                  m.AggregateMetadata.aggregate_id == m.AggregateHost.aggregate_id)
            .where(m.AggregateHost.host.in_(list(host_names))))
    metadata = collections.defaultdict(lambda: collections.defaultdict(set))
    for host, key, value in session.execute(stmt):
        metadata[host][key].add(value)
    return metadata


def load_group(session, group_uuid, instance_uuid, *, lock):
    """The server group ``group_uuid`` and its other members' nodes, or None if gone.

    :param lock: lock the group's row until the transaction ends
        (``SELECT … FOR UPDATE``; SQLite's writers are serialised anyway), so
        that the members of one group are placed one after another.
    """
    stmt = sa.select(m.ServerGroup.id, m.ServerGroup.policy, m.ServerGroup.rules).where(
        m.ServerGroup.uuid == group_uuid)
    if lock:
        stmt = stmt.with_for_update()
    group = session.execute(stmt).first()
    if group is None:
        return None
    counts = session.execute(
        sa.select(m.Allocation.node_id, sa.func.count(sa.distinct(m.Allocation.instance_uuid)))
        .join(m.ServerGroupMember, m.ServerGroupMember.instance_uuid == m.Allocation.instance_uuid)
        .where(m.ServerGroupMember.group_id == group.id,
               m.Allocation.instance_uuid != instance_uuid)
        .group_by(m.Allocation.node_id)).all()
    rules = _capabilities(group.rules)
    try:
        max_per_host = max(1, int(rules.get('max_server_per_host', 1)))
    except (TypeError, ValueError):
        max_per_host = 1
    return GroupInfo(uuid=group_uuid, policy=group.policy, max_server_per_host=max_per_host,
                     members_by_node=dict(counts))


def nodes_held_by(session, instance_uuid):
    """Ids of the nodes on which the server already holds resources."""
    return set(session.execute(sa.select(m.Allocation.node_id).where(
        m.Allocation.instance_uuid == instance_uuid)).scalars())


def load(session, conf, spec, instance_uuid):
    """The hosts a selection for ``spec`` chooses among, with what its filters need.

    Also fills ``spec.group``.  Nodes the server already holds resources on
    (the source of a resize) are left out: a server is not resized onto
    its own host.
    """
    if spec.group_uuid:
        spec.group = load_group(session, spec.group_uuid, instance_uuid, lock=True)
    held = nodes_held_by(session, instance_uuid)
    hosts = [h for h in load_hosts(session, conf, only_host=spec.force_host)
             if h.node_id not in held and h.host not in spec.exclude_hosts]
    if spec.zone is not None:
        host_zone = zones.host_zones(session, conf)
        for h in hosts:
            h.zone = host_zone.get(h.host)
    if spec.aggregate_specs() and hosts:
        metadata = _aggregate_metadata(session, {h.host for h in hosts})
        for h in hosts:
            h.aggregate_metadata = metadata.get(h.host, {})
    return hosts
