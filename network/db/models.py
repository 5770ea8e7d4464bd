"""Tables of the network database.

Every API resource carries Neutron's standard attributes (``StandardMixin``).
Addresses are handed out under a unique key on (subnet, address) so that the
database, not the code, guarantees that no address is given twice.
"""
import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from common.db.types import UtcDateTime, new_uuid, utcnow

ID = sa.String(36)
PROJECT = sa.String(64)
IP = sa.String(64)


class Base(orm.DeclarativeBase):
    pass


class StandardMixin:
    """Neutron's standard attributes: id, project, name, description, times, revision."""
    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True, default=new_uuid)
    project_id: orm.Mapped[str] = orm.mapped_column(PROJECT, index=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255), default='')
    description: orm.Mapped[str] = orm.mapped_column(sa.String(255), default='')
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(UtcDateTime, default=utcnow)
    updated_at: orm.Mapped[datetime.datetime] = orm.mapped_column(
        UtcDateTime, default=utcnow, onupdate=utcnow)
    revision_number: orm.Mapped[int] = orm.mapped_column(sa.Integer, default=0)


class Network(StandardMixin, Base):
    __tablename__ = 'networks'
    __table_args__ = (sa.UniqueConstraint('network_type', 'segmentation_id',
                                          name='uniq_networks_segment'),)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(16), default='ACTIVE')
    admin_state_up: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=True)
    shared: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=False, index=True)
    external: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=False, index=True)
    network_type: orm.Mapped[str] = orm.mapped_column(sa.String(16))
    physical_network: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    segmentation_id: orm.Mapped[int | None] = orm.mapped_column(sa.Integer)
    mtu: orm.Mapped[int] = orm.mapped_column(sa.Integer)
    port_security_enabled: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=True)
    availability_zone_hints: orm.Mapped[list] = orm.mapped_column(sa.JSON, default=list)


class Subnet(StandardMixin, Base):
    __tablename__ = 'subnets'
    network_id: orm.Mapped[str] = orm.mapped_column(
        ID, sa.ForeignKey('networks.id', ondelete='CASCADE'), index=True)
    ip_version: orm.Mapped[int] = orm.mapped_column(sa.Integer)
    cidr: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    gateway_ip: orm.Mapped[str | None] = orm.mapped_column(IP)
    enable_dhcp: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=True)
    ipv6_ra_mode: orm.Mapped[str | None] = orm.mapped_column(sa.String(16))
    ipv6_address_mode: orm.Mapped[str | None] = orm.mapped_column(sa.String(16))
    # [{"start": ip, "end": ip}, ...], sorted and validated by network.cidrs.
    allocation_pools: orm.Mapped[list] = orm.mapped_column(sa.JSON, default=list)
    dns_nameservers: orm.Mapped[list] = orm.mapped_column(sa.JSON, default=list)
    host_routes: orm.Mapped[list] = orm.mapped_column(sa.JSON, default=list)


class Port(StandardMixin, Base):
    __tablename__ = 'ports'
    __table_args__ = (sa.UniqueConstraint('network_id', 'mac_address',
                                          name='uniq_ports_network_mac'),
                      sa.Index('ix_ports_device', 'device_id'))
    network_id: orm.Mapped[str] = orm.mapped_column(
        ID, sa.ForeignKey('networks.id', ondelete='CASCADE'), index=True)
    mac_address: orm.Mapped[str] = orm.mapped_column(sa.String(32))
    admin_state_up: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=True)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(16), default='DOWN')
    device_id: orm.Mapped[str] = orm.mapped_column(sa.String(255), default='')
    device_owner: orm.Mapped[str] = orm.mapped_column(sa.String(255), default='')
    binding_host_id: orm.Mapped[str] = orm.mapped_column(sa.String(255), default='')
    binding_vnic_type: orm.Mapped[str] = orm.mapped_column(sa.String(32), default='normal')
    binding_profile: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)
    port_security_enabled: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=True)
    # [{"ip_address": ..., "mac_address": ...}, ...]
    allowed_address_pairs: orm.Mapped[list] = orm.mapped_column(sa.JSON, default=list)
    fixed_ips: orm.Mapped[list['IPAllocation']] = orm.relationship(
        lazy='selectin', cascade='all, delete-orphan', passive_deletes=True,
        order_by='IPAllocation.ip_address')
    security_group_bindings: orm.Mapped[list['PortSecurityGroup']] = orm.relationship(
        lazy='selectin', cascade='all, delete-orphan', passive_deletes=True)


class IPAllocation(Base):
    """An address of a port; the primary key is what forbids handing it out twice."""
    __tablename__ = 'ip_allocations'
    subnet_id: orm.Mapped[str] = orm.mapped_column(
        ID, sa.ForeignKey('subnets.id', ondelete='CASCADE'), primary_key=True)
    ip_address: orm.Mapped[str] = orm.mapped_column(IP, primary_key=True)
    port_id: orm.Mapped[str] = orm.mapped_column(
        ID, sa.ForeignKey('ports.id', ondelete='CASCADE'), index=True)
    network_id: orm.Mapped[str] = orm.mapped_column(ID, index=True)


class SecurityGroup(StandardMixin, Base):
    __tablename__ = 'security_groups'
    stateful: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=True)
    rules: orm.Mapped[list['SecurityGroupRule']] = orm.relationship(
        lazy='selectin', cascade='all, delete-orphan', passive_deletes=True,
        order_by='SecurityGroupRule.created_at',
        foreign_keys='SecurityGroupRule.security_group_id')


class DefaultSecurityGroup(Base):
    """One row per project: its ``default`` group, created on first use exactly once."""
    __tablename__ = 'default_security_groups'
    project_id: orm.Mapped[str] = orm.mapped_column(PROJECT, primary_key=True)
    security_group_id: orm.Mapped[str] = orm.mapped_column(
        ID, sa.ForeignKey('security_groups.id', ondelete='CASCADE'))


class SecurityGroupRule(Base):
    __tablename__ = 'security_group_rules'
    __table_args__ = (sa.UniqueConstraint('security_group_id', 'fingerprint',
                                          name='uniq_sg_rules_fingerprint'),)
    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True, default=new_uuid)
    project_id: orm.Mapped[str] = orm.mapped_column(PROJECT, index=True)
    security_group_id: orm.Mapped[str] = orm.mapped_column(
        ID, sa.ForeignKey('security_groups.id', ondelete='CASCADE'), index=True)
    description: orm.Mapped[str] = orm.mapped_column(sa.String(255), default='')
    direction: orm.Mapped[str] = orm.mapped_column(sa.String(8))
    ethertype: orm.Mapped[str] = orm.mapped_column(sa.String(8))
    protocol: orm.Mapped[str | None] = orm.mapped_column(sa.String(40))
    port_range_min: orm.Mapped[int | None] = orm.mapped_column(sa.Integer)
    port_range_max: orm.Mapped[int | None] = orm.mapped_column(sa.Integer)
    remote_ip_prefix: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    remote_group_id: orm.Mapped[str | None] = orm.mapped_column(
        ID, sa.ForeignKey('security_groups.id', ondelete='CASCADE'))
    # What makes two rules the same (everything but id/description): unique per group.
    fingerprint: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(UtcDateTime, default=utcnow)
    updated_at: orm.Mapped[datetime.datetime] = orm.mapped_column(
        UtcDateTime, default=utcnow, onupdate=utcnow)
    revision_number: orm.Mapped[int] = orm.mapped_column(sa.Integer, default=0)


class PortSecurityGroup(Base):
    __tablename__ = 'port_security_groups'
    port_id: orm.Mapped[str] = orm.mapped_column(
        ID, sa.ForeignKey('ports.id', ondelete='CASCADE'), primary_key=True)
    security_group_id: orm.Mapped[str] = orm.mapped_column(
        ID, sa.ForeignKey('security_groups.id'), primary_key=True, index=True)


class Quota(Base):
    __tablename__ = 'quotas'
    project_id: orm.Mapped[str] = orm.mapped_column(PROJECT, primary_key=True)
    resource: orm.Mapped[str] = orm.mapped_column(sa.String(32), primary_key=True)
    limit: orm.Mapped[int] = orm.mapped_column(sa.Integer)


class QuotaLock(Base):
    """One row per project and resource, locked while a create counts and inserts.

    Usage is counted from the resources themselves under this lock, so two
    concurrent creates of one project run their check-then-insert one after
    the other and cannot together exceed a limit.
    """
    __tablename__ = 'quota_locks'
    project_id: orm.Mapped[str] = orm.mapped_column(PROJECT, primary_key=True)
    resource: orm.Mapped[str] = orm.mapped_column(sa.String(32), primary_key=True)


class Agent(Base):
    """A network agent of a host, as it last reported itself (through the conductor)."""
    __tablename__ = 'agents'
    __table_args__ = (sa.UniqueConstraint('agent_type', 'host', name='uniq_agents_type_host'),)
    id: orm.Mapped[str] = orm.mapped_column(ID, primary_key=True, default=new_uuid)
    agent_type: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    binary: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    topic: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    host: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    availability_zone: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    admin_state_up: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=True)
    configurations: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)
    resource_versions: orm.Mapped[dict | None] = orm.mapped_column(sa.JSON)
    description: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(UtcDateTime, default=utcnow)
    started_at: orm.Mapped[datetime.datetime] = orm.mapped_column(UtcDateTime, default=utcnow)
    heartbeat_timestamp: orm.Mapped[datetime.datetime] = orm.mapped_column(
        UtcDateTime, default=utcnow)


class Router(StandardMixin, Base):
    """A router: interfaces on project subnets, an optional gateway on an external network."""
    __tablename__ = 'routers'
    status: orm.Mapped[str] = orm.mapped_column(sa.String(16), default='ACTIVE')
    admin_state_up: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=True)
    # The ``network:router_gateway`` port; the gateway is unset when NULL.
    gw_port_id: orm.Mapped[str | None] = orm.mapped_column(
        ID, sa.ForeignKey('ports.id'), unique=True)
    enable_snat: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=True)
    # [{"destination": cidr, "nexthop": ip}, ...], validated by network.routers.
    routes: orm.Mapped[list] = orm.mapped_column(sa.JSON, default=list)
    gw_port: orm.Mapped['Port | None'] = orm.relationship(lazy='selectin')
    attached: orm.Mapped[list['RouterPort']] = orm.relationship(
        lazy='selectin', cascade='all, delete-orphan', passive_deletes=True)


class RouterPort(Base):
    """A port of a router; the primary key lets a port serve one router only."""
    __tablename__ = 'router_ports'
    port_id: orm.Mapped[str] = orm.mapped_column(
        ID, sa.ForeignKey('ports.id', ondelete='CASCADE'), primary_key=True)
    router_id: orm.Mapped[str] = orm.mapped_column(
        ID, sa.ForeignKey('routers.id', ondelete='CASCADE'), index=True)
    port_type: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    port: orm.Mapped['Port'] = orm.relationship(lazy='selectin')


class FloatingIP(StandardMixin, Base):
    """An address of an external network, held by a ``network:floatingip`` port.

    The address is that port's allocation, so IPAM's unique key keeps it
    from being handed out twice; the unique key here keeps one fixed address
    of a port from getting two floating IPs.
    """
    __tablename__ = 'floatingips'
    __table_args__ = (sa.UniqueConstraint('fixed_port_id', 'fixed_ip_address',
                                          name='uniq_floatingips_fixed'),)
    floating_ip_address: orm.Mapped[str] = orm.mapped_column(IP)
    floating_network_id: orm.Mapped[str] = orm.mapped_column(
        ID, sa.ForeignKey('networks.id'), index=True)
    floating_port_id: orm.Mapped[str] = orm.mapped_column(
        ID, sa.ForeignKey('ports.id', ondelete='CASCADE'), unique=True)
    fixed_port_id: orm.Mapped[str | None] = orm.mapped_column(
        ID, sa.ForeignKey('ports.id', ondelete='SET NULL'), index=True)
    fixed_ip_address: orm.Mapped[str | None] = orm.mapped_column(IP)
    router_id: orm.Mapped[str | None] = orm.mapped_column(
        ID, sa.ForeignKey('routers.id'), index=True)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(16), default='DOWN')
    fixed_port: orm.Mapped['Port | None'] = orm.relationship(
        lazy='selectin', foreign_keys=[fixed_port_id])


class NetworkDhcpAgentBinding(Base):
    """The DHCP agent that serves a network (Neutron's ``networkdhcpagentbindings``).

    One agent per network: the primary key is what keeps two conductors
    scheduling at once from giving a network two DHCP servers.
    """
    __tablename__ = 'network_dhcp_agent_bindings'
    network_id: orm.Mapped[str] = orm.mapped_column(
        ID, sa.ForeignKey('networks.id', ondelete='CASCADE'), primary_key=True)
    dhcp_agent_id: orm.Mapped[str] = orm.mapped_column(
        ID, sa.ForeignKey('agents.id', ondelete='CASCADE'), index=True)


class RouterL3AgentBinding(Base):
    """The L3 agent that hosts a router (Neutron's ``routerl3agentbindings``), one per router."""
    __tablename__ = 'router_l3_agent_bindings'
    router_id: orm.Mapped[str] = orm.mapped_column(
        ID, sa.ForeignKey('routers.id', ondelete='CASCADE'), primary_key=True)
    l3_agent_id: orm.Mapped[str] = orm.mapped_column(
        ID, sa.ForeignKey('agents.id', ondelete='CASCADE'), index=True)
