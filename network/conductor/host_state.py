"""The desired network state of one host (``network.rpcapi.HostState``), from the database.

An agent has no database: each sync it gets this whole state and makes its
host match it.  The state holds only what is on that host: its instance
ports (``compute:*`` bound there) and their security groups, the DHCP
servers and routers scheduled to its agents, and the networks all of these
are on.  A flat network whose physical network the host's Linux bridge
agent does not map is left out (logged), and so is everything on it, so
the state never names a network it does not describe.
"""
import ipaddress
import logging

import sqlalchemy as sa

from compute import device_names
from network import agents as agent_rules
from network import rpcapi
from network import routers as router_rules
from network.db import models as m

LOG = logging.getLogger(__name__)

COMPUTE_OWNER_PREFIX = 'compute:'
DHCP_OWNER = 'network:dhcp'


def hostname(ip_address):
    """Neutron's DHCP host name of an address: ``host-10-0-0-5``."""
    return 'host-' + ip_address.replace('.', '-').replace(':', '-')


def ethertype(address):
    """'IPv4' or 'IPv6' of an address or a CIDR."""
    version = ipaddress.ip_network(address, strict=False).version
    return 'IPv4' if version == 4 else 'IPv6'


def subnet_state(subnet):
    return rpcapi.SubnetState(
        id=subnet.id, cidr=subnet.cidr, ip_version=subnet.ip_version,
        gateway_ip=subnet.gateway_ip, enable_dhcp=subnet.enable_dhcp,
        dns_nameservers=list(subnet.dns_nameservers or []),
        host_routes=[dict(r) for r in subnet.host_routes or []],
        allocation_pools=[dict(p) for p in subnet.allocation_pools or []])


def _fixed_ips(port):
    return [{'subnet_id': a.subnet_id, 'ip_address': a.ip_address} for a in port.fixed_ips]


class _Builder:
    """Builds the state of ``host`` in one read ``session``."""

    def __init__(self, session, conf, host):
        self.session = session
        self.conf = conf
        self.host = host
        self.agents = list(session.execute(sa.select(m.Agent)).scalars())
        self.networks = {}  # id -> NetworkState; None for a network left out
        self.subnets = {}  # id -> Subnet row, of the networks looked at

    # --- networks -------------------------------------------------------------------

    def _alive(self, agent):
        return agent_rules.is_alive(agent, self.conf.agent_down_time)

    def _l2_agent(self):
        return next((a for a in self.agents
                     if a.agent_type == rpcapi.L2_AGENT and a.host == self.host), None)

    def _vxlan_peers(self):
        own = self._l2_agent()
        own_ip = (own.configurations or {}).get('tunnel_ip') if own else None
        peers = {(a.configurations or {}).get('tunnel_ip') for a in self.agents
                 if a.agent_type == rpcapi.L2_AGENT and a.host != self.host
                 and self._alive(a)}
        return sorted(ip for ip in peers if ip and ip != own_ip)

    def _bridge(self, network):
        """The network's bridge on this host; None when a flat one is not mapped here."""
        if network.network_type != 'flat':
            return device_names.bridge_name(network.id)
        own = self._l2_agent()
        mappings = ((own.configurations or {}).get('bridge_mappings') or {}) if own else {}
        bridge = mappings.get(network.physical_network)
        if not bridge:
            LOG.warning('Host %s maps no bridge for physical network %s: network %s and '
                        'what is on it are left out of its state', self.host,
                        network.physical_network, network.id)
        return bridge

    def load_networks(self, network_ids):
        wanted = set(network_ids) - set(self.networks)
        if not wanted:
            return
        rows = self.session.execute(sa.select(m.Network).where(m.Network.id.in_(wanted)))
        subnets = {}
        for subnet in self.session.execute(
                sa.select(m.Subnet).where(m.Subnet.network_id.in_(wanted))
                .order_by(m.Subnet.created_at, m.Subnet.id)).scalars():
            self.subnets[subnet.id] = subnet
            subnets.setdefault(subnet.network_id, []).append(subnet_state(subnet))
        peers = None
        for network in rows.scalars():
            bridge = self._bridge(network)
            if bridge is None:
                self.networks[network.id] = None
                continue
            if network.network_type == 'vxlan' and peers is None:
                peers = self._vxlan_peers()
            self.networks[network.id] = rpcapi.NetworkState(
                id=network.id, project_id=network.project_id, name=network.name,
                network_type=network.network_type, segmentation_id=network.segmentation_id,
                physical_network=network.physical_network, mtu=network.mtu,
                external=network.external, admin_state_up=network.admin_state_up,
                bridge=bridge,
                vxlan_peers=list(peers) if network.network_type == 'vxlan' else [],
                subnets=subnets.get(network.id, []))
        for missing in wanted - set(self.networks):
            self.networks[missing] = None  # deleted meanwhile

    def network(self, network_id):
        return self.networks.get(network_id)

    # --- instance ports and their security groups -----------------------------------

    def ports(self):
        rows = list(self.session.execute(
            sa.select(m.Port).where(m.Port.binding_host_id == self.host,
                                    m.Port.device_owner.startswith(COMPUTE_OWNER_PREFIX))
            .order_by(m.Port.id)).scalars())
        self.load_networks(p.network_id for p in rows)
        result = {}
        for port in rows:
            network = self.network(port.network_id)
            if network is None:
                continue
            result[port.id] = rpcapi.PortState(
                id=port.id, network_id=port.network_id, project_id=port.project_id,
                mac_address=port.mac_address, device_id=port.device_id,
                device_owner=port.device_owner, admin_state_up=port.admin_state_up,
                port_security_enabled=port.port_security_enabled,
                fixed_ips=_fixed_ips(port),
                allowed_address_pairs=[dict(p) for p in port.allowed_address_pairs or []],
                security_group_ids=sorted(b.security_group_id
                                          for b in port.security_group_bindings),
                tap=device_names.tap_name(port.id), bridge=network['bridge'])
        return result

    def _member_ips(self, group_ids):
        members = {g: {'IPv4': set(), 'IPv6': set()} for g in group_ids}
        rows = self.session.execute(
            sa.select(m.PortSecurityGroup.security_group_id, m.Port)
            .join(m.Port, m.Port.id == m.PortSecurityGroup.port_id)
            .where(m.PortSecurityGroup.security_group_id.in_(group_ids)))
        for group_id, port in rows:
            addresses = [a.ip_address for a in port.fixed_ips]
            addresses += [p['ip_address'] for p in port.allowed_address_pairs or []]
            for address in addresses:
                members[group_id][ethertype(address)].add(address)
        return {g: {kind: sorted(ips) for kind, ips in found.items()}
                for g, found in members.items()}

    def security_groups(self, ports):
        """The groups of ``ports``, and the groups their rules name as remote groups
        (whose ``member_ips`` those rules match)."""
        wanted = {g for port in ports.values() for g in port['security_group_ids']}
        groups = {}
        while wanted:
            rows = self.session.execute(
                sa.select(m.SecurityGroup).where(m.SecurityGroup.id.in_(wanted))).scalars()
            groups.update({g.id: g for g in rows})
            wanted = {r.remote_group_id for g in groups.values() for r in g.rules
                      if r.remote_group_id} - set(groups)
        members = self._member_ips(list(groups))
        return {group.id: rpcapi.SecurityGroupState(
            id=group.id, project_id=group.project_id, stateful=group.stateful,
            rules=[{'id': r.id, 'direction': r.direction, 'ethertype': r.ethertype,
                    'protocol': r.protocol, 'port_range_min': r.port_range_min,
                    'port_range_max': r.port_range_max, 'remote_ip_prefix': r.remote_ip_prefix,
                    'remote_group_id': r.remote_group_id} for r in group.rules],
            member_ips=members[group.id]) for group in sorted(groups.values(),
                                                              key=lambda g: g.id)}

    # --- DHCP servers -----------------------------------------------------------------

    def _hosted(self, agent_column, subject_column, agent_type):
        """The ids ``subject_column`` of what the ``agent_type`` agent of this host serves."""
        agent_ids = [a.id for a in self.agents
                     if a.agent_type == agent_type and a.host == self.host]
        if not agent_ids:
            return []
        return sorted(self.session.execute(
            sa.select(subject_column).where(agent_column.in_(agent_ids))).scalars())

    def dhcp(self):
        network_ids = self._hosted(m.NetworkDhcpAgentBinding.dhcp_agent_id,
                                   m.NetworkDhcpAgentBinding.network_id, rpcapi.DHCP_AGENT)
        self.load_networks(network_ids)
        result = {}
        for network_id in network_ids:
            network = self.network(network_id)
            if network is None:
                continue
            port = self.session.execute(
                sa.select(m.Port).where(m.Port.network_id == network_id,
                                        m.Port.device_owner == DHCP_OWNER,
                                        m.Port.binding_host_id == self.host)
                .order_by(m.Port.created_at, m.Port.id).limit(1)).scalar_one_or_none()
            subnets = [s for s in network['subnets'] if s['enable_dhcp']]
            if port is None or not subnets:
                continue  # scheduled, its port not made yet: the next push has it
            result[network_id] = rpcapi.DhcpState(
                network_id=network_id, namespace=f'qdhcp-{network_id}',
                bridge=network['bridge'], mtu=network['mtu'],
                port={'id': port.id, 'mac_address': port.mac_address,
                      'fixed_ips': _fixed_ips(port)},
                subnets=subnets, hosts=self._dhcp_hosts(network_id, subnets))
        return result

    def _dhcp_hosts(self, network_id, subnets):
        subnet_ids = {s['id'] for s in subnets}
        rows = self.session.execute(
            sa.select(m.IPAllocation.port_id, m.IPAllocation.subnet_id,
                      m.IPAllocation.ip_address, m.Port.mac_address)
            .join(m.Port, m.Port.id == m.IPAllocation.port_id)
            .where(m.IPAllocation.network_id == network_id)
            .order_by(m.IPAllocation.subnet_id, m.IPAllocation.ip_address))
        return [{'port_id': port_id, 'mac_address': mac, 'ip_address': address,
                 'subnet_id': subnet_id, 'hostname': hostname(address)}
                for port_id, subnet_id, address, mac in rows if subnet_id in subnet_ids]

    # --- routers ----------------------------------------------------------------------

    def routers(self):
        router_ids = self._hosted(m.RouterL3AgentBinding.l3_agent_id,
                                  m.RouterL3AgentBinding.router_id, rpcapi.L3_AGENT)
        if not router_ids:
            return {}
        rows = list(self.session.execute(
            sa.select(m.Router).where(m.Router.id.in_(router_ids))
            .order_by(m.Router.id)).scalars())
        self.load_networks(a.port.network_id for r in rows for a in r.attached)
        return {router.id: self._router(router) for router in rows}

    def _attachment(self, port):
        network = self.network(port.network_id)
        if network is None:
            return None
        fixed_ips = []
        for allocation in port.fixed_ips:
            subnet = self.subnets.get(allocation.subnet_id)
            if subnet is None:
                continue
            cidr = ipaddress.ip_network(subnet.cidr)
            fixed_ips.append({'subnet_id': subnet.id, 'ip_address': allocation.ip_address,
                              'prefixlen': cidr.prefixlen, 'cidr': subnet.cidr})
        return {'port_id': port.id, 'mac_address': port.mac_address,
                'network_id': port.network_id, 'bridge': network['bridge'],
                'mtu': network['mtu'], 'fixed_ips': fixed_ips}

    def _router(self, router):
        gateway = None
        if router.gw_port is not None:
            gateway = self._attachment(router.gw_port)
        if gateway is not None:
            gateway['gateway_ips'] = [self.subnets[f['subnet_id']].gateway_ip
                                      for f in gateway['fixed_ips']
                                      if self.subnets[f['subnet_id']].gateway_ip]
            for fixed_ip in gateway['fixed_ips']:
                del fixed_ip['cidr']
        interfaces = [i for i in (self._attachment(p) for p in router_rules.interfaces(router))
                      if i is not None]
        interfaces.sort(key=lambda i: i['port_id'])
        fips = self.session.execute(
            sa.select(m.FloatingIP).where(m.FloatingIP.router_id == router.id,
                                          m.FloatingIP.fixed_port_id.is_not(None))
            .order_by(m.FloatingIP.floating_ip_address)).scalars()
        return rpcapi.RouterState(
            id=router.id, project_id=router.project_id, admin_state_up=router.admin_state_up,
            namespace=f'qrouter-{router.id}', enable_snat=router.enable_snat,
            gateway=gateway, interfaces=interfaces,
            routes=[dict(r) for r in router.routes or []],
            floating_ips=[{'id': f.id, 'floating_ip_address': f.floating_ip_address,
                           'fixed_ip_address': f.fixed_ip_address, 'port_id': f.fixed_port_id}
                          for f in fips],
            instances=self._instances(interfaces))

    def _instances(self, interfaces):
        subnet_ids = {f['subnet_id'] for i in interfaces for f in i['fixed_ips']}
        if not subnet_ids:
            return {}
        rows = self.session.execute(
            sa.select(m.IPAllocation.ip_address, m.Port.device_id, m.Port.project_id,
                      m.Port.id)
            .join(m.Port, m.Port.id == m.IPAllocation.port_id)
            .where(m.IPAllocation.subnet_id.in_(subnet_ids),
                   m.Port.device_owner.startswith(COMPUTE_OWNER_PREFIX)))
        return {address: {'instance_id': device_id, 'project_id': project_id,
                          'port_id': port_id}
                for address, device_id, project_id, port_id in rows}


def build(session, conf, host):
    """The ``HostState`` of ``host``, read in ``session``."""
    builder = _Builder(session, conf, host)
    ports = builder.ports()
    dhcp = builder.dhcp()
    routers = builder.routers()
    used = {p['network_id'] for p in ports.values()} | set(dhcp)
    for router in routers.values():
        attachments = router['interfaces'] + ([router['gateway']] if router['gateway'] else [])
        used |= {a['network_id'] for a in attachments}
    networks = {i: builder.networks[i] for i in sorted(used)}
    return rpcapi.HostState(host=host, networks=networks, ports=ports,
                            security_groups=builder.security_groups(ports),
                            dhcp=dhcp, routers=routers)
