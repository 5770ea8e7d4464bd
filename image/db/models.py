"""Tables of the image database."""
import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from common.db.types import UtcDateTime, new_uuid, utcnow

ID = sa.String(36)
PROJECT = sa.String(64)


class Base(orm.DeclarativeBase):
    pass


class Image(Base):
    __tablename__ = 'images'
    __table_args__ = (sa.Index('ix_images_owner_status', 'owner', 'status'),
                      sa.Index('ix_images_created', 'created_at', 'id'))
    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True, default=new_uuid)
    name: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    status: orm.Mapped[str] = orm.mapped_column(sa.String(16), index=True)
    visibility: orm.Mapped[str] = orm.mapped_column(sa.String(16), index=True)
    owner: orm.Mapped[str | None] = orm.mapped_column(PROJECT)
    disk_format: orm.Mapped[str | None] = orm.mapped_column(sa.String(16))
    container_format: orm.Mapped[str | None] = orm.mapped_column(sa.String(16))
    size: orm.Mapped[int | None] = orm.mapped_column(sa.BigInteger)
    virtual_size: orm.Mapped[int | None] = orm.mapped_column(sa.BigInteger)
    checksum: orm.Mapped[str | None] = orm.mapped_column(sa.String(32))
    os_hash_algo: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    os_hash_value: orm.Mapped[str | None] = orm.mapped_column(sa.String(128))
    min_disk: orm.Mapped[int] = orm.mapped_column(sa.Integer, default=0)
    min_ram: orm.Mapped[int] = orm.mapped_column(sa.Integer, default=0)
    protected: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=False)
    os_hidden: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=False)
    # Where the store keeps the data (set once the data is committed).
    location: orm.Mapped[str | None] = orm.mapped_column(sa.String(1024))
    # Identifies the upload or import in progress, so that only it may finish.
    upload_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(36))
    # Bytes staged for a glance-direct import.
    staged_size: orm.Mapped[int | None] = orm.mapped_column(sa.BigInteger)
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(UtcDateTime, default=utcnow)
    updated_at: orm.Mapped[datetime.datetime] = orm.mapped_column(
        UtcDateTime, default=utcnow, onupdate=utcnow)
    deleted_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(UtcDateTime)


class ImageProperty(Base):
    """A free-form property (``kernel_id``, ``os_distro``, ``hw_*`` …)."""
    __tablename__ = 'image_properties'
    image_id: orm.Mapped[str] = orm.mapped_column(ID, sa.ForeignKey('images.id'),
                                                  primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255), primary_key=True)
    value: orm.Mapped[str] = orm.mapped_column(sa.Text)


class ImageTag(Base):
    __tablename__ = 'image_tags'
    image_id: orm.Mapped[str] = orm.mapped_column(ID, sa.ForeignKey('images.id'),
                                                  primary_key=True)
    value: orm.Mapped[str] = orm.mapped_column(sa.String(255), primary_key=True)


class ImageMember(Base):
    """A project an image is shared with, and whether it accepted."""
    __tablename__ = 'image_members'
    image_id: orm.Mapped[str] = orm.mapped_column(ID, sa.ForeignKey('images.id'),
                                                  primary_key=True)
    member: orm.Mapped[str] = orm.mapped_column(PROJECT, primary_key=True, index=True)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(20), default='pending')
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(UtcDateTime, default=utcnow)
    updated_at: orm.Mapped[datetime.datetime] = orm.mapped_column(
        UtcDateTime, default=utcnow, onupdate=utcnow)


class ProjectQuota(Base):
    """Per-project quota overrides, and the row that serialises a project's quota checks.

    A NULL limit means "the configured default".  Checking a quota locks
    this row (SELECT … FOR UPDATE), so that two concurrent creates or
    uploads of one project cannot both pass a check that only one may.
    """
    __tablename__ = 'project_quotas'
    project_id: orm.Mapped[str] = orm.mapped_column(PROJECT, primary_key=True)
    image_count_total: orm.Mapped[int | None] = orm.mapped_column(sa.Integer)
    image_size_total: orm.Mapped[int | None] = orm.mapped_column(sa.BigInteger)
    image_stage_total: orm.Mapped[int | None] = orm.mapped_column(sa.BigInteger)
    image_count_uploading: orm.Mapped[int | None] = orm.mapped_column(sa.Integer)
