"""Tables of the identity database.

Ids are 32 hex digits, as Keystone's; the default domain's id is
``default``.  Roles are global (Keystone's domain-specific roles are not
supported).  Role assignments of users and groups on projects, domains and
the system share one table, as in Keystone.
"""
import datetime
import enum

import sqlalchemy as sa
from sqlalchemy import orm

from common.db.types import UtcDateTime, new_id, utcnow

ID = sa.String(64)
NAME = sa.String(255)


class Base(orm.DeclarativeBase):
    pass


class Domain(Base):
    __tablename__ = 'domains'
    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True, default=new_id)
    name: orm.Mapped[str] = orm.mapped_column(NAME, unique=True)
    description: orm.Mapped[str] = orm.mapped_column(sa.Text, default='')
    enabled: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=True)
    tags: orm.Mapped[list] = orm.mapped_column(sa.JSON, default=list)
    extra: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(UtcDateTime, default=utcnow)


class Project(Base):
    __tablename__ = 'projects'
    __table_args__ = (sa.UniqueConstraint('domain_id', 'name', name='uniq_project_name'),)
    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True, default=new_id)
    name: orm.Mapped[str] = orm.mapped_column(NAME)
    domain_id: orm.Mapped[str] = orm.mapped_column(ID, sa.ForeignKey('domains.id'), index=True)
    parent_id: orm.Mapped[str | None] = orm.mapped_column(ID, sa.ForeignKey('projects.id'),
                                                          index=True)
    description: orm.Mapped[str] = orm.mapped_column(sa.Text, default='')
    enabled: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=True)
    tags: orm.Mapped[list] = orm.mapped_column(sa.JSON, default=list)
    extra: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(UtcDateTime, default=utcnow)


class User(Base):
    __tablename__ = 'users'
    __table_args__ = (sa.UniqueConstraint('domain_id', 'name', name='uniq_user_name'),)
    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True, default=new_id)
    name: orm.Mapped[str] = orm.mapped_column(NAME)
    domain_id: orm.Mapped[str] = orm.mapped_column(ID, sa.ForeignKey('domains.id'), index=True)
    enabled: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=True)
    default_project_id: orm.Mapped[str | None] = orm.mapped_column(ID)
    password_hash: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    password_changed_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(UtcDateTime)
    extra: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(UtcDateTime, default=utcnow)


class Group(Base):
    __tablename__ = 'groups'
    __table_args__ = (sa.UniqueConstraint('domain_id', 'name', name='uniq_group_name'),)
    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True, default=new_id)
    name: orm.Mapped[str] = orm.mapped_column(NAME)
    domain_id: orm.Mapped[str] = orm.mapped_column(ID, sa.ForeignKey('domains.id'), index=True)
    description: orm.Mapped[str] = orm.mapped_column(sa.Text, default='')
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(UtcDateTime, default=utcnow)


class GroupMembership(Base):
    __tablename__ = 'group_memberships'
    user_id: orm.Mapped[str] = orm.mapped_column(ID, sa.ForeignKey('users.id'), primary_key=True)
    group_id: orm.Mapped[str] = orm.mapped_column(ID, sa.ForeignKey('groups.id'),
                                                  primary_key=True, index=True)


class Role(Base):
    __tablename__ = 'roles'
    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True, default=new_id)
    name: orm.Mapped[str] = orm.mapped_column(NAME, unique=True)
    description: orm.Mapped[str] = orm.mapped_column(sa.Text, default='')
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(UtcDateTime, default=utcnow)


class ImpliedRole(Base):
    """``prior_role_id`` implies ``implied_role_id`` (admin ⇒ member ⇒ reader)."""
    __tablename__ = 'implied_roles'
    prior_role_id: orm.Mapped[str] = orm.mapped_column(ID, sa.ForeignKey('roles.id'),
                                                       primary_key=True)
    implied_role_id: orm.Mapped[str] = orm.mapped_column(ID, sa.ForeignKey('roles.id'),
                                                         primary_key=True)


class AssignmentType(str, enum.Enum):
    USER_PROJECT = 'UserProject'
    GROUP_PROJECT = 'GroupProject'
    USER_DOMAIN = 'UserDomain'
    GROUP_DOMAIN = 'GroupDomain'
    USER_SYSTEM = 'UserSystem'
    GROUP_SYSTEM = 'GroupSystem'


SYSTEM_TARGET = 'system'


class Assignment(Base):
    """A role held by a user or group on a project, a domain or the system.

    ``target_id`` is the project or domain id, or ``system``.
    """
    __tablename__ = 'assignments'
    type: orm.Mapped[str] = orm.mapped_column(sa.String(16), primary_key=True)
    actor_id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True)
    target_id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True)
    role_id: orm.Mapped[str] = orm.mapped_column(ID, sa.ForeignKey('roles.id'), primary_key=True)
    __table_args__ = (sa.Index('ix_assignments_actor', 'actor_id'),
                      sa.Index('ix_assignments_target', 'target_id'))


class Region(Base):
    __tablename__ = 'regions'
    id: orm.Mapped[str] = orm.mapped_column(NAME, primary_key=True)
    description: orm.Mapped[str] = orm.mapped_column(sa.Text, default='')
    parent_region_id: orm.Mapped[str | None] = orm.mapped_column(NAME, sa.ForeignKey('regions.id'))


class Service(Base):
    __tablename__ = 'services'
    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True, default=new_id)
    type: orm.Mapped[str] = orm.mapped_column(NAME, index=True)
    name: orm.Mapped[str] = orm.mapped_column(NAME, default='')
    description: orm.Mapped[str] = orm.mapped_column(sa.Text, default='')
    enabled: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=True)


class Endpoint(Base):
    __tablename__ = 'endpoints'
    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True, default=new_id)
    service_id: orm.Mapped[str] = orm.mapped_column(ID, sa.ForeignKey('services.id'), index=True)
    interface: orm.Mapped[str] = orm.mapped_column(sa.String(8))
    url: orm.Mapped[str] = orm.mapped_column(sa.Text)
    region_id: orm.Mapped[str | None] = orm.mapped_column(NAME, sa.ForeignKey('regions.id'))
    enabled: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=True)


class ApplicationCredential(Base):
    __tablename__ = 'application_credentials'
    __table_args__ = (sa.UniqueConstraint('user_id', 'name', name='uniq_app_cred_name'),)
    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True, default=new_id)
    name: orm.Mapped[str] = orm.mapped_column(NAME)
    user_id: orm.Mapped[str] = orm.mapped_column(ID, sa.ForeignKey('users.id'), index=True)
    project_id: orm.Mapped[str] = orm.mapped_column(ID, sa.ForeignKey('projects.id'), index=True)
    secret_hash: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    description: orm.Mapped[str] = orm.mapped_column(sa.Text, default='')
    expires_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(UtcDateTime)
    unrestricted: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=False)
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(UtcDateTime, default=utcnow)


class ApplicationCredentialRole(Base):
    __tablename__ = 'application_credential_roles'
    application_credential_id: orm.Mapped[str] = orm.mapped_column(
        ID, sa.ForeignKey('application_credentials.id', ondelete='CASCADE'), primary_key=True)
    role_id: orm.Mapped[str] = orm.mapped_column(ID, sa.ForeignKey('roles.id'), primary_key=True)


class RevocationEvent(Base):
    """Tokens issued before ``issued_before`` that match every set field are revoked."""
    __tablename__ = 'revocation_events'
    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    user_id: orm.Mapped[str | None] = orm.mapped_column(ID, index=True)
    project_id: orm.Mapped[str | None] = orm.mapped_column(ID, index=True)
    domain_id: orm.Mapped[str | None] = orm.mapped_column(ID, index=True)
    audit_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(32), index=True)
    audit_chain_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(32), index=True)
    application_credential_id: orm.Mapped[str | None] = orm.mapped_column(ID)
    issued_before: orm.Mapped[datetime.datetime] = orm.mapped_column(UtcDateTime)
    revoked_at: orm.Mapped[datetime.datetime] = orm.mapped_column(UtcDateTime, default=utcnow,
                                                                  index=True)
