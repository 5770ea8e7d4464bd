"""Tables of the volume database.

Volumes, snapshots, backups and attachments are kept after deletion
(``deleted_at`` set, status ``deleted``), as Cinder keeps them: usage
accounting (GB-hours per project) is computed from their
``created_at``/``deleted_at``, and a backup outlives its volume.  Volume
types, their extra specs and access lists are deleted outright; a deleted
volume keeps its type's id.

Quotas follow ``network``: limits per (project, resource), usage counted
from the tables while the project's ``QuotaLock`` rows are locked
(``volume.quotas``).
"""
import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from common.db.service_records import ServiceRecordMixin
from common.db.types import UtcDateTime, new_uuid, utcnow
from volume import states

UUID = sa.String(36)
PROJECT = sa.String(64)
USER = sa.String(64)
NAME = sa.String(255)
STATUS = sa.String(32)
METADATA_KEY = sa.String(255)
METADATA_VALUE = sa.String(255)


class Base(orm.DeclarativeBase):
    pass


def _created():
    return orm.mapped_column(UtcDateTime, default=utcnow)


def _updated():
    return orm.mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


def _deleted():
    return orm.mapped_column(UtcDateTime, nullable=True)


class Service(ServiceRecordMixin, Base):
    """A conductor (``cinder-scheduler``), or a backend's agent (``cinder-volume``,
    host ``<host>@<backend>``) or backup service (``cinder-backup``).

    ``capabilities`` is what a backend's agent last reported: its
    ``volume_backend_name``, ``pools`` (``[{"name", "total_capacity_gb",
    "free_capacity_gb", …}]``) and the features it offers; the conductor's
    scheduler reads it.
    """
    __tablename__ = 'services'
    uuid: orm.Mapped[str] = orm.mapped_column(UUID, unique=True, default=new_uuid)
    availability_zone: orm.Mapped[str | None] = orm.mapped_column(NAME)
    capabilities: orm.Mapped[dict | None] = orm.mapped_column(sa.JSON)


class VolumeType(Base):
    """A kind of volume, chosen at create; its extra specs steer the scheduler
    (``volume_backend_name``) and features (``multiattach: "<is> True"``)."""
    __tablename__ = 'volume_types'
    id: orm.Mapped[str] = orm.mapped_column(UUID, primary_key=True, default=new_uuid)
    name: orm.Mapped[str] = orm.mapped_column(NAME, unique=True)
    description: orm.Mapped[str | None] = orm.mapped_column(NAME)
    is_public: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=True)
    created_at: orm.Mapped[datetime.datetime] = _created()
    updated_at: orm.Mapped[datetime.datetime] = _updated()


class VolumeTypeExtraSpec(Base):
    __tablename__ = 'volume_type_extra_specs'
    volume_type_id: orm.Mapped[str] = orm.mapped_column(
        UUID, sa.ForeignKey('volume_types.id', ondelete='CASCADE'), primary_key=True)
    key: orm.Mapped[str] = orm.mapped_column(METADATA_KEY, primary_key=True)
    value: orm.Mapped[str] = orm.mapped_column(METADATA_VALUE)


class VolumeTypeProject(Base):
    """A project that may use a private (``is_public`` false) volume type."""
    __tablename__ = 'volume_type_projects'
    volume_type_id: orm.Mapped[str] = orm.mapped_column(
        UUID, sa.ForeignKey('volume_types.id', ondelete='CASCADE'), primary_key=True)
    project_id: orm.Mapped[str] = orm.mapped_column(PROJECT, primary_key=True)


class Volume(Base):
    """A volume.

    ``host`` is the backend holding it, ``<host>@<backend>#<pool>`` as in
    Cinder, set by the conductor's scheduler; ``provider_location`` is where
    the backend keeps it (the file driver: the file's path) and ``format``
    the file's format (``raw`` or ``qcow2``), both set by the backend when
    it has made the volume.  ``use_quota`` is false for the service's own
    temporary volumes, which count against no quota.
    """
    __tablename__ = 'volumes'
    __table_args__ = (sa.Index('ix_volumes_project_deleted', 'project_id', 'deleted_at'),
                      sa.Index('ix_volumes_host_deleted', 'host', 'deleted_at'))
    id: orm.Mapped[str] = orm.mapped_column(UUID, primary_key=True, default=new_uuid)
    project_id: orm.Mapped[str] = orm.mapped_column(PROJECT)
    user_id: orm.Mapped[str] = orm.mapped_column(USER)
    name: orm.Mapped[str | None] = orm.mapped_column(NAME)
    description: orm.Mapped[str | None] = orm.mapped_column(NAME)
    size: orm.Mapped[int] = orm.mapped_column(sa.Integer)
    # The size an extend in progress grows the volume to: quotas count it (the API
    # took it) until the conductor sets ``size`` or gives the extend up.
    requested_size: orm.Mapped[int | None] = orm.mapped_column(sa.Integer)
    status: orm.Mapped[str] = orm.mapped_column(STATUS, default=states.CREATING)
    attach_status: orm.Mapped[str] = orm.mapped_column(STATUS, default=states.DETACHED)
    migration_status: orm.Mapped[str | None] = orm.mapped_column(STATUS)
    # The status an extend or attach started from, to go back to.
    previous_status: orm.Mapped[str | None] = orm.mapped_column(STATUS)
    availability_zone: orm.Mapped[str | None] = orm.mapped_column(NAME)
    volume_type_id: orm.Mapped[str | None] = orm.mapped_column(UUID, index=True)
    host: orm.Mapped[str | None] = orm.mapped_column(NAME)
    service_uuid: orm.Mapped[str | None] = orm.mapped_column(UUID)
    provider_location: orm.Mapped[str | None] = orm.mapped_column(sa.String(1024))
    format: orm.Mapped[str | None] = orm.mapped_column(sa.String(16))
    bootable: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=False)
    multiattach: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=False)
    encrypted: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=False)
    use_quota: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=True)
    snapshot_id: orm.Mapped[str | None] = orm.mapped_column(UUID)
    source_volid: orm.Mapped[str | None] = orm.mapped_column(UUID)
    image_id: orm.Mapped[str | None] = orm.mapped_column(UUID)
    created_at: orm.Mapped[datetime.datetime] = _created()
    updated_at: orm.Mapped[datetime.datetime] = _updated()
    deleted_at: orm.Mapped[datetime.datetime | None] = _deleted()
    # When it became usable, and when its deletion was asked (usage accounting).
    launched_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(UtcDateTime)
    terminated_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(UtcDateTime)


class _KeyValue:
    key: orm.Mapped[str] = orm.mapped_column(METADATA_KEY, primary_key=True)
    value: orm.Mapped[str] = orm.mapped_column(METADATA_VALUE)


class VolumeMetadata(_KeyValue, Base):
    """What the user set as the volume's ``metadata``."""
    __tablename__ = 'volume_metadata'
    volume_id: orm.Mapped[str] = orm.mapped_column(
        UUID, sa.ForeignKey('volumes.id', ondelete='CASCADE'), primary_key=True)


class VolumeAdminMetadata(_KeyValue, Base):
    """What the service records about a volume (``readonly``, ``attached_mode``);
    those two keys are shown in the volume's ``metadata``, as in Cinder."""
    __tablename__ = 'volume_admin_metadata'
    volume_id: orm.Mapped[str] = orm.mapped_column(
        UUID, sa.ForeignKey('volumes.id', ondelete='CASCADE'), primary_key=True)


class VolumeGlanceMetadata(Base):
    """Properties of the image a volume was made from (``volume_image_metadata``),
    copied on to its snapshots and to volumes cloned from it."""
    __tablename__ = 'volume_glance_metadata'
    __table_args__ = (sa.UniqueConstraint('volume_id', 'key', name='uniq_vgm_volume_key'),
                      sa.UniqueConstraint('snapshot_id', 'key', name='uniq_vgm_snapshot_key'))
    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    volume_id: orm.Mapped[str | None] = orm.mapped_column(
        UUID, sa.ForeignKey('volumes.id', ondelete='CASCADE'))
    snapshot_id: orm.Mapped[str | None] = orm.mapped_column(
        UUID, sa.ForeignKey('snapshots.id', ondelete='CASCADE'))
    key: orm.Mapped[str] = orm.mapped_column(METADATA_KEY)
    value: orm.Mapped[str] = orm.mapped_column(sa.Text)


class VolumeAttachment(Base):
    """A volume's attachment to a server (or a reservation for one).

    ``connector`` is what the attaching host said of itself (``host``,
    ``ip``, ``initiator`` …); ``connection_info`` what the backend answered,
    for a file volume ``{"driver_volume_type": "file", "data":
    {"device_path", "format"}}``.
    """
    __tablename__ = 'volume_attachments'
    id: orm.Mapped[str] = orm.mapped_column(UUID, primary_key=True, default=new_uuid)
    volume_id: orm.Mapped[str] = orm.mapped_column(
        UUID, sa.ForeignKey('volumes.id', ondelete='CASCADE'), index=True)
    instance_uuid: orm.Mapped[str | None] = orm.mapped_column(UUID, index=True)
    attached_host: orm.Mapped[str | None] = orm.mapped_column(NAME)
    mountpoint: orm.Mapped[str | None] = orm.mapped_column(NAME)
    attach_status: orm.Mapped[str] = orm.mapped_column(
        STATUS, default=states.ATTACHMENT_RESERVED)
    attach_mode: orm.Mapped[str] = orm.mapped_column(sa.String(2), default='rw')
    connector: orm.Mapped[dict | None] = orm.mapped_column(sa.JSON)
    connection_info: orm.Mapped[dict | None] = orm.mapped_column(sa.JSON)
    attached_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(UtcDateTime)
    detached_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(UtcDateTime)
    created_at: orm.Mapped[datetime.datetime] = _created()
    updated_at: orm.Mapped[datetime.datetime] = _updated()
    deleted_at: orm.Mapped[datetime.datetime | None] = _deleted()


class SnapshotPolicy(Base):
    """A recurring snapshot schedule of one volume (CloudStack's snapshot policy).

    ``interval_type`` is ``hourly``, ``daily``, ``weekly`` or ``monthly``;
    ``schedule`` says when in that interval (CloudStack's ``MM``,
    ``MM:HH``, ``MM:HH:DOW``, ``MM:HH:DD``) in ``timezone``; ``max_snaps``
    is how many of the snapshots it made are kept.  ``next_run_at`` (UTC)
    is when the conductor takes the next one.  A volume has at most one
    policy per interval type.
    """
    __tablename__ = 'snapshot_policies'
    __table_args__ = (sa.UniqueConstraint('volume_id', 'interval_type',
                                          name='uniq_snapshot_policies_volume_interval'),
                      sa.Index('ix_snapshot_policies_due', 'enabled', 'next_run_at'))
    id: orm.Mapped[str] = orm.mapped_column(UUID, primary_key=True, default=new_uuid)
    project_id: orm.Mapped[str] = orm.mapped_column(PROJECT, index=True)
    volume_id: orm.Mapped[str] = orm.mapped_column(
        UUID, sa.ForeignKey('volumes.id', ondelete='CASCADE'))
    interval_type: orm.Mapped[str] = orm.mapped_column(sa.String(16))
    schedule: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    timezone: orm.Mapped[str] = orm.mapped_column(sa.String(64), default='UTC')
    max_snaps: orm.Mapped[int] = orm.mapped_column(sa.Integer)
    enabled: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=True)
    next_run_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(UtcDateTime)
    last_run_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(UtcDateTime)
    created_at: orm.Mapped[datetime.datetime] = _created()
    updated_at: orm.Mapped[datetime.datetime] = _updated()


class Snapshot(Base):
    """A point-in-time copy of a volume; ``policy_id`` when a policy took it."""
    __tablename__ = 'snapshots'
    __table_args__ = (sa.Index('ix_snapshots_project_deleted', 'project_id', 'deleted_at'),)
    id: orm.Mapped[str] = orm.mapped_column(UUID, primary_key=True, default=new_uuid)
    project_id: orm.Mapped[str] = orm.mapped_column(PROJECT)
    user_id: orm.Mapped[str] = orm.mapped_column(USER)
    volume_id: orm.Mapped[str] = orm.mapped_column(
        UUID, sa.ForeignKey('volumes.id', ondelete='CASCADE'), index=True)
    volume_size: orm.Mapped[int] = orm.mapped_column(sa.Integer)
    volume_type_id: orm.Mapped[str | None] = orm.mapped_column(UUID)
    name: orm.Mapped[str | None] = orm.mapped_column(NAME)
    description: orm.Mapped[str | None] = orm.mapped_column(NAME)
    status: orm.Mapped[str] = orm.mapped_column(STATUS, default=states.SNAPSHOT_CREATING)
    progress: orm.Mapped[str] = orm.mapped_column(sa.String(16), default='0%')
    provider_location: orm.Mapped[str | None] = orm.mapped_column(sa.String(1024))
    policy_id: orm.Mapped[str | None] = orm.mapped_column(
        UUID, sa.ForeignKey('snapshot_policies.id', ondelete='SET NULL'), index=True)
    use_quota: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=True)
    created_at: orm.Mapped[datetime.datetime] = _created()
    updated_at: orm.Mapped[datetime.datetime] = _updated()
    deleted_at: orm.Mapped[datetime.datetime | None] = _deleted()


class SnapshotMetadata(_KeyValue, Base):
    __tablename__ = 'snapshot_metadata'
    snapshot_id: orm.Mapped[str] = orm.mapped_column(
        UUID, sa.ForeignKey('snapshots.id', ondelete='CASCADE'), primary_key=True)


class Backup(Base):
    """A copy of a volume (or of one of its snapshots) in the backup directory.

    An incremental backup holds what changed since ``parent_id``; a backup
    with dependants cannot be deleted.  ``volume_id`` is not a foreign key:
    a backup outlives its volume.  ``temp_volume_id``/``temp_snapshot_id``
    name what the service made to back up an in-use volume.
    """
    __tablename__ = 'backups'
    __table_args__ = (sa.Index('ix_backups_project_deleted', 'project_id', 'deleted_at'),)
    id: orm.Mapped[str] = orm.mapped_column(UUID, primary_key=True, default=new_uuid)
    project_id: orm.Mapped[str] = orm.mapped_column(PROJECT)
    user_id: orm.Mapped[str] = orm.mapped_column(USER)
    volume_id: orm.Mapped[str] = orm.mapped_column(UUID, index=True)
    snapshot_id: orm.Mapped[str | None] = orm.mapped_column(UUID)
    parent_id: orm.Mapped[str | None] = orm.mapped_column(UUID, index=True)
    incremental: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=False)
    name: orm.Mapped[str | None] = orm.mapped_column(NAME)
    description: orm.Mapped[str | None] = orm.mapped_column(NAME)
    status: orm.Mapped[str] = orm.mapped_column(STATUS, default=states.BACKUP_CREATING)
    fail_reason: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    size: orm.Mapped[int] = orm.mapped_column(sa.Integer)
    object_count: orm.Mapped[int] = orm.mapped_column(sa.Integer, default=0)
    container: orm.Mapped[str | None] = orm.mapped_column(NAME)
    # The backup driver (``service``) and the host whose agent made it.
    service: orm.Mapped[str | None] = orm.mapped_column(NAME)
    host: orm.Mapped[str | None] = orm.mapped_column(NAME)
    availability_zone: orm.Mapped[str | None] = orm.mapped_column(NAME)
    data_timestamp: orm.Mapped[datetime.datetime | None] = orm.mapped_column(UtcDateTime)
    restore_volume_id: orm.Mapped[str | None] = orm.mapped_column(UUID)
    temp_volume_id: orm.Mapped[str | None] = orm.mapped_column(UUID)
    temp_snapshot_id: orm.Mapped[str | None] = orm.mapped_column(UUID)
    created_at: orm.Mapped[datetime.datetime] = _created()
    updated_at: orm.Mapped[datetime.datetime] = _updated()
    deleted_at: orm.Mapped[datetime.datetime | None] = _deleted()


class BackupMetadata(_KeyValue, Base):
    __tablename__ = 'backup_metadata'
    backup_id: orm.Mapped[str] = orm.mapped_column(
        UUID, sa.ForeignKey('backups.id', ondelete='CASCADE'), primary_key=True)


class Quota(Base):
    """A project's limit on a resource, set by an admin; none means the default.

    Resources are Cinder's: ``volumes``, ``gigabytes``, ``snapshots``,
    ``backups``, ``backup_gigabytes``, ``per_volume_gigabytes``, ``groups``
    and, per volume type, ``volumes_<type>``, ``gigabytes_<type>``,
    ``snapshots_<type>`` (renamed with the type).
    """
    __tablename__ = 'quotas'
    project_id: orm.Mapped[str] = orm.mapped_column(PROJECT, primary_key=True)
    resource: orm.Mapped[str] = orm.mapped_column(sa.String(300), primary_key=True)
    limit: orm.Mapped[int] = orm.mapped_column(sa.Integer)


class QuotaLock(Base):
    """One row per project and counted resource, locked while a request counts and inserts.

    Usage is counted from the resources themselves under this lock, so two
    concurrent creates of one project run their check-then-insert one after
    the other and cannot together exceed a limit.
    """
    __tablename__ = 'quota_locks'
    project_id: orm.Mapped[str] = orm.mapped_column(PROJECT, primary_key=True)
    resource: orm.Mapped[str] = orm.mapped_column(sa.String(32), primary_key=True)
