"""Tables of the compute database.

Servers are kept after deletion (``deleted_at`` set, ``vm_state``
``deleted``) for usage accounting and ``changes-since``; flavors, key
pairs, server groups and aggregates are deleted outright, as in Nova's API
database (a server keeps a copy of its flavor).
"""
import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from common.db.service_records import ServiceRecordMixin
from common.db.types import UtcDateTime, new_uuid, utcnow
from compute import states

UUID = sa.String(36)
PROJECT = sa.String(64)
USER = sa.String(64)


class Base(orm.DeclarativeBase):
    pass


def _created():
    return orm.mapped_column(UtcDateTime, default=utcnow)


def _updated():
    return orm.mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class Service(ServiceRecordMixin, Base):
    """A conductor or agent (``stratus-compute-agent`` per host)."""
    __tablename__ = 'services'
    uuid: orm.Mapped[str] = orm.mapped_column(UUID, unique=True, default=new_uuid)


class ComputeNode(Base):
    """The resources of one agent host, and what is claimed of them.

    Claims change ``*_used`` with a conditional UPDATE that also bumps
    ``generation``: a conductor claims only against the generation it read,
    so two conductors choosing the same host at once cannot both succeed
    (``compute.conductor.scheduler.claims``).  The agent reports the totals; only the
    conductor writes the row.
    """
    __tablename__ = 'compute_nodes'
    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    uuid: orm.Mapped[str] = orm.mapped_column(UUID, unique=True, default=new_uuid)
    host: orm.Mapped[str] = orm.mapped_column(sa.String(255), unique=True)
    hypervisor_hostname: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    hypervisor_type: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    hypervisor_version: orm.Mapped[int] = orm.mapped_column(sa.Integer, default=0)
    host_ip: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    vcpus: orm.Mapped[int] = orm.mapped_column(sa.Integer)
    memory_mb: orm.Mapped[int] = orm.mapped_column(sa.Integer)
    local_gb: orm.Mapped[int] = orm.mapped_column(sa.Integer)
    vcpus_used: orm.Mapped[int] = orm.mapped_column(sa.Integer, default=0)
    memory_mb_used: orm.Mapped[int] = orm.mapped_column(sa.Integer, default=0)
    local_gb_used: orm.Mapped[int] = orm.mapped_column(sa.Integer, default=0)
    running_vms: orm.Mapped[int] = orm.mapped_column(sa.Integer, default=0)
    cpu_allocation_ratio: orm.Mapped[float] = orm.mapped_column(sa.Float)
    ram_allocation_ratio: orm.Mapped[float] = orm.mapped_column(sa.Float)
    disk_allocation_ratio: orm.Mapped[float] = orm.mapped_column(sa.Float)
    # JSON: {"cpu_arch": "x86_64", "hypervisor_type": "qemu", ...}; matched
    # against image properties by the scheduler.
    capabilities: orm.Mapped[str] = orm.mapped_column(sa.Text, default='{}')
    generation: orm.Mapped[int] = orm.mapped_column(sa.Integer, default=0)
    created_at: orm.Mapped[datetime.datetime] = _created()
    updated_at: orm.Mapped[datetime.datetime] = _updated()


class Allocation(Base):
    """What one server holds on one host (two rows while a resize is unconfirmed)."""
    __tablename__ = 'allocations'
    __table_args__ = (sa.UniqueConstraint('instance_uuid', 'node_id',
                                          name='uniq_allocations_instance_node'),)
    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    instance_uuid: orm.Mapped[str] = orm.mapped_column(UUID, index=True)
    node_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey('compute_nodes.id'),
                                                 index=True)
    vcpus: orm.Mapped[int] = orm.mapped_column(sa.Integer)
    memory_mb: orm.Mapped[int] = orm.mapped_column(sa.Integer)
    disk_gb: orm.Mapped[int] = orm.mapped_column(sa.Integer)
    created_at: orm.Mapped[datetime.datetime] = _created()


class Instance(Base):
    """A server."""
    __tablename__ = 'instances'
    __table_args__ = (sa.Index('ix_instances_project_created', 'project_id', 'created_at'),
                      sa.Index('ix_instances_updated', 'updated_at'),
                      sa.Index('ix_instances_host_deleted', 'host', 'deleted_at'))
    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    uuid: orm.Mapped[str] = orm.mapped_column(UUID, unique=True, default=new_uuid)
    display_name: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    hostname: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    description: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    project_id: orm.Mapped[str] = orm.mapped_column(PROJECT)
    user_id: orm.Mapped[str] = orm.mapped_column(USER)
    image_ref: orm.Mapped[str | None] = orm.mapped_column(UUID)
    # The flavor as it was when the server got it (JSON: id, name, vcpus,
    # ram, disk, ephemeral, swap, extra_specs); old/new during a resize.
    flavor: orm.Mapped[str] = orm.mapped_column(sa.Text)
    old_flavor: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    new_flavor: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    vcpus: orm.Mapped[int] = orm.mapped_column(sa.Integer)
    memory_mb: orm.Mapped[int] = orm.mapped_column(sa.Integer)
    root_gb: orm.Mapped[int] = orm.mapped_column(sa.Integer)
    ephemeral_gb: orm.Mapped[int] = orm.mapped_column(sa.Integer, default=0)
    key_name: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    key_data: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    user_data: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    availability_zone: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    host: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    node: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    # The host a resize is moving the server to, until confirm or revert.
    migration_host: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    vm_state: orm.Mapped[str] = orm.mapped_column(sa.String(32), index=True)
    task_state: orm.Mapped[str | None] = orm.mapped_column(sa.String(32))
    power_state: orm.Mapped[int] = orm.mapped_column(sa.Integer, default=0)
    locked: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=False)
    locked_by: orm.Mapped[str | None] = orm.mapped_column(sa.String(16))
    locked_reason: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    config_drive: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    access_ip_v4: orm.Mapped[str | None] = orm.mapped_column(sa.String(39))
    access_ip_v6: orm.Mapped[str | None] = orm.mapped_column(sa.String(39))
    auto_disk_config: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=False)
    progress: orm.Mapped[int] = orm.mapped_column(sa.Integer, default=0)
    reservation_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    launch_index: orm.Mapped[int] = orm.mapped_column(sa.Integer, default=0)
    root_device_name: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    # JSON: what the scheduler needs again on a retry, rebuild or resize
    # (requested zone, group, hints, image properties, hosts tried).
    request_spec: orm.Mapped[str] = orm.mapped_column(sa.Text, default='{}')
    # JSON: the requested networks ("none", "auto" or a list of
    # {"uuid"|"port"|"fixed_ip"}) and security group names.
    requested_networks: orm.Mapped[str] = orm.mapped_column(sa.Text, default='[]')
    security_groups: orm.Mapped[str] = orm.mapped_column(sa.Text, default='[]')
    # JSON: the ports and addresses, as the API's ``addresses`` shows them.
    network_info: orm.Mapped[str] = orm.mapped_column(sa.Text, default='[]')
    launched_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(UtcDateTime)
    # When the agent reported the guest of a build spawned while ports were
    # still to be wired (``compute.conductor.vif_plugging``); None otherwise.
    spawned_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(UtcDateTime)
    terminated_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(UtcDateTime)
    created_at: orm.Mapped[datetime.datetime] = _created()
    updated_at: orm.Mapped[datetime.datetime] = _updated()
    deleted_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(UtcDateTime)


class InstanceMetadata(Base):
    __tablename__ = 'instance_metadata'
    instance_uuid: orm.Mapped[str] = orm.mapped_column(
        UUID, sa.ForeignKey('instances.uuid'), primary_key=True)
    key: orm.Mapped[str] = orm.mapped_column(sa.String(255), primary_key=True)
    value: orm.Mapped[str] = orm.mapped_column(sa.String(255))


class InstanceTag(Base):
    __tablename__ = 'instance_tags'
    instance_uuid: orm.Mapped[str] = orm.mapped_column(
        UUID, sa.ForeignKey('instances.uuid'), primary_key=True)
    tag: orm.Mapped[str] = orm.mapped_column(sa.String(80), primary_key=True, index=True)


class InstanceFault(Base):
    """Why a server went to ERROR (the newest is shown as ``fault``)."""
    __tablename__ = 'instance_faults'
    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    instance_uuid: orm.Mapped[str] = orm.mapped_column(
        UUID, sa.ForeignKey('instances.uuid'), index=True)
    code: orm.Mapped[int] = orm.mapped_column(sa.Integer)
    message: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    details: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    host: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    created_at: orm.Mapped[datetime.datetime] = _created()


class BlockDeviceMapping(Base):
    """A disk of a server, as ``block_device_mapping_v2`` asked for it."""
    __tablename__ = 'block_device_mappings'
    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    instance_uuid: orm.Mapped[str] = orm.mapped_column(
        UUID, sa.ForeignKey('instances.uuid'), index=True)
    boot_index: orm.Mapped[int | None] = orm.mapped_column(sa.Integer)
    source_type: orm.Mapped[str] = orm.mapped_column(sa.String(16))
    destination_type: orm.Mapped[str] = orm.mapped_column(sa.String(16))
    device_name: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    device_type: orm.Mapped[str | None] = orm.mapped_column(sa.String(16))
    disk_bus: orm.Mapped[str | None] = orm.mapped_column(sa.String(16))
    guest_format: orm.Mapped[str | None] = orm.mapped_column(sa.String(16))
    image_id: orm.Mapped[str | None] = orm.mapped_column(UUID)
    volume_id: orm.Mapped[str | None] = orm.mapped_column(UUID)
    snapshot_id: orm.Mapped[str | None] = orm.mapped_column(UUID)
    volume_size: orm.Mapped[int | None] = orm.mapped_column(sa.Integer)
    volume_type: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    delete_on_termination: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=False)
    tag: orm.Mapped[str | None] = orm.mapped_column(sa.String(60))
    attachment_id: orm.Mapped[str | None] = orm.mapped_column(UUID)
    # The volume service's answer to the host's connector (JSON), kept as Nova
    # keeps it: a rebuild or a resize builds the guest again with it.
    connection_info: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    created_at: orm.Mapped[datetime.datetime] = _created()


class InstancePort(Base):
    """A network port of a server, whether compute made it (and must delete it), and
    whether the network service has wired it on the server's host."""
    __tablename__ = 'instance_ports'
    port_id: orm.Mapped[str] = orm.mapped_column(UUID, primary_key=True)
    instance_uuid: orm.Mapped[str] = orm.mapped_column(
        UUID, sa.ForeignKey('instances.uuid'), index=True)
    network_id: orm.Mapped[str | None] = orm.mapped_column(UUID)
    created_by_compute: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=True)
    # ``waiting`` (made DOWN, no network-vif-plugged yet), ``plugged`` (ACTIVE when
    # made, or the event came) or ``failed`` (the event said so): see
    # ``compute.conductor.vif_plugging``.
    vif_state: orm.Mapped[str] = orm.mapped_column(sa.String(16), default=states.VIF_PLUGGED,
                                                   server_default=states.VIF_PLUGGED)
    created_at: orm.Mapped[datetime.datetime] = _created()


class InstanceAction(Base):
    """One user-visible action on a server (``os-instance-actions``)."""
    __tablename__ = 'instance_actions'
    __table_args__ = (sa.Index('ix_instance_actions_instance_start',
                               'instance_uuid', 'start_time'),)
    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    action: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    instance_uuid: orm.Mapped[str] = orm.mapped_column(UUID, sa.ForeignKey('instances.uuid'))
    request_id: orm.Mapped[str] = orm.mapped_column(sa.String(255), index=True)
    user_id: orm.Mapped[str | None] = orm.mapped_column(USER)
    project_id: orm.Mapped[str | None] = orm.mapped_column(PROJECT)
    start_time: orm.Mapped[datetime.datetime] = orm.mapped_column(UtcDateTime, default=utcnow)
    finish_time: orm.Mapped[datetime.datetime | None] = orm.mapped_column(UtcDateTime)
    message: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    updated_at: orm.Mapped[datetime.datetime] = _updated()


class InstanceActionEvent(Base):
    """A step of an action (``compute_start_instance`` …) with its result."""
    __tablename__ = 'instance_action_events'
    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    action_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey('instance_actions.id'),
                                                   index=True)
    event: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    start_time: orm.Mapped[datetime.datetime] = orm.mapped_column(UtcDateTime, default=utcnow)
    finish_time: orm.Mapped[datetime.datetime | None] = orm.mapped_column(UtcDateTime)
    result: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    traceback: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    host: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    details: orm.Mapped[str | None] = orm.mapped_column(sa.Text)


class Flavor(Base):
    __tablename__ = 'flavors'
    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    flavorid: orm.Mapped[str] = orm.mapped_column(sa.String(255), unique=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255), unique=True)
    memory_mb: orm.Mapped[int] = orm.mapped_column(sa.Integer)
    vcpus: orm.Mapped[int] = orm.mapped_column(sa.Integer)
    root_gb: orm.Mapped[int] = orm.mapped_column(sa.Integer)
    ephemeral_gb: orm.Mapped[int] = orm.mapped_column(sa.Integer, default=0)
    swap: orm.Mapped[int] = orm.mapped_column(sa.Integer, default=0)
    rxtx_factor: orm.Mapped[float] = orm.mapped_column(sa.Float, default=1.0)
    is_public: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=True)
    disabled: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=False)
    description: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    created_at: orm.Mapped[datetime.datetime] = _created()
    updated_at: orm.Mapped[datetime.datetime] = _updated()


class FlavorExtraSpec(Base):
    __tablename__ = 'flavor_extra_specs'
    flavor_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey('flavors.id', ondelete='CASCADE'), primary_key=True)
    key: orm.Mapped[str] = orm.mapped_column(sa.String(255), primary_key=True)
    value: orm.Mapped[str] = orm.mapped_column(sa.String(255))


class FlavorProject(Base):
    """A project that may use a private flavor."""
    __tablename__ = 'flavor_projects'
    flavor_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey('flavors.id', ondelete='CASCADE'), primary_key=True)
    project_id: orm.Mapped[str] = orm.mapped_column(PROJECT, primary_key=True, index=True)


class KeyPair(Base):
    __tablename__ = 'key_pairs'
    __table_args__ = (sa.UniqueConstraint('user_id', 'name', name='uniq_key_pairs_user_name'),)
    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    user_id: orm.Mapped[str] = orm.mapped_column(USER)
    fingerprint: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    public_key: orm.Mapped[str] = orm.mapped_column(sa.Text)
    type: orm.Mapped[str] = orm.mapped_column(sa.String(16), default='ssh')
    created_at: orm.Mapped[datetime.datetime] = _created()


class ServerGroup(Base):
    __tablename__ = 'server_groups'
    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    uuid: orm.Mapped[str] = orm.mapped_column(UUID, unique=True, default=new_uuid)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    project_id: orm.Mapped[str] = orm.mapped_column(PROJECT, index=True)
    user_id: orm.Mapped[str] = orm.mapped_column(USER)
    # affinity, anti-affinity, soft-affinity or soft-anti-affinity
    policy: orm.Mapped[str] = orm.mapped_column(sa.String(32))
    # JSON, e.g. {"max_server_per_host": 2} (anti-affinity only)
    rules: orm.Mapped[str] = orm.mapped_column(sa.Text, default='{}')
    created_at: orm.Mapped[datetime.datetime] = _created()


class ServerGroupMember(Base):
    __tablename__ = 'server_group_members'
    group_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey('server_groups.id', ondelete='CASCADE'), primary_key=True)
    instance_uuid: orm.Mapped[str] = orm.mapped_column(UUID, primary_key=True, index=True)


class Aggregate(Base):
    """A group of hosts with metadata; ``availability_zone`` makes it a zone."""
    __tablename__ = 'aggregates'
    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    uuid: orm.Mapped[str] = orm.mapped_column(UUID, unique=True, default=new_uuid)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255), unique=True)
    created_at: orm.Mapped[datetime.datetime] = _created()
    updated_at: orm.Mapped[datetime.datetime] = _updated()


class AggregateHost(Base):
    __tablename__ = 'aggregate_hosts'
    aggregate_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey('aggregates.id', ondelete='CASCADE'), primary_key=True)
    host: orm.Mapped[str] = orm.mapped_column(sa.String(255), primary_key=True, index=True)


class AggregateMetadata(Base):
    __tablename__ = 'aggregate_metadata'
    aggregate_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey('aggregates.id', ondelete='CASCADE'), primary_key=True)
    key: orm.Mapped[str] = orm.mapped_column(sa.String(255), primary_key=True)
    value: orm.Mapped[str] = orm.mapped_column(sa.String(255))


class ProjectQuota(Base):
    """A per-project (or per-user, for key pairs) quota limit set by an admin.

    A missing row means the configured default (``[quota]``).
    """
    __tablename__ = 'quotas'
    project_id: orm.Mapped[str] = orm.mapped_column(PROJECT, primary_key=True)
    resource: orm.Mapped[str] = orm.mapped_column(sa.String(64), primary_key=True)
    hard_limit: orm.Mapped[int] = orm.mapped_column(sa.Integer)


class QuotaLock(Base):
    """One row per project (or user), locked while a create checks and takes quota.

    Usage is counted from the resources themselves under this lock, so two
    concurrent creates of one project run their check-then-insert one after
    the other and cannot together exceed a limit.
    """
    __tablename__ = 'quota_locks'
    owner_id: orm.Mapped[str] = orm.mapped_column(sa.String(64), primary_key=True)
