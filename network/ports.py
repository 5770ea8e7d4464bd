"""Ports: visibility, MAC and addresses, binding, port security, security groups."""

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common.db.session import is_duplicate_entry
from network import cidrs
from network import exceptions as net_exc
from network import ipam
from network import macs
from network import networks
from network import quotas
from network import security_groups
from network.db import api as db_api
from network.db import models as m

MAC_ATTEMPTS = 10
DOWN = 'DOWN'


def visible(caller):
    """Ports ``caller`` sees: their project's (all of them for cloud admins)."""
    if caller.is_admin:
        return sa.true()
    return m.Port.project_id == caller.project_id


def get(session, caller, port_id):
    port = session.execute(sa.select(m.Port).where(
        m.Port.id == port_id, visible(caller))).scalar_one_or_none()
    if port is None:
        raise net_exc.PortNotFound(id=port_id)
    return port


def status_after_update(port, previous_host):
    """The status of ``port`` after an update: DOWN when its binding moved or it is
    admin-down, else unchanged.  A port turns ACTIVE only when the agent of its
    host reports it wired (``network.conductor.port_status``)."""
    if port.binding_host_id != previous_host or not port.admin_state_up:
        return DOWN
    return port.status


def _address_pairs(pairs):
    result = []
    for pair in pairs or []:
        address = cidrs.parse_network(pair['ip_address'], 'allowed_address_pairs')
        entry = {'ip_address': pair['ip_address'] if address.num_addresses > 1 or
                 '/' in pair['ip_address'] else str(address.network_address)}
        if pair.get('mac_address'):
            entry['mac_address'] = macs.normalise(pair['mac_address'])
        if entry in result:
            raise net_exc.InvalidInput(detail=f'Duplicate address pair {entry}')
        result.append(entry)
    return result


def _security_group_ids(session, caller, project_id, port, asked):
    """The groups of ``port``: those asked for, or the project's default one."""
    if asked is None:
        if not port.port_security_enabled or port.device_owner.startswith('network:'):
            return []
        return [security_groups.ensure_default(session, project_id).id]
    ids = list(dict.fromkeys(asked))
    for group_id in ids:
        group = session.get(m.SecurityGroup, group_id)
        if group is None or not (caller.is_admin or group.project_id == project_id):
            raise net_exc.SecurityGroupNotFound(id=group_id)
    return ids


def _check_port_security(port, group_ids):
    if not port.port_security_enabled:
        if group_ids:
            raise net_exc.PortSecurityAndIPRequiredForSecurityGroups()
        if port.allowed_address_pairs:
            raise net_exc.AddressPairAndPortSecurityRequired()


def _insert(session, port):
    """Add ``port``; False when its MAC is already taken on its network.

    :raises NetworkNotFound: when the network was deleted meanwhile (its foreign key).
    """
    try:
        with session.begin_nested():
            session.add(port)
        return True
    except sa_exc.IntegrityError as exc:
        if is_duplicate_entry(exc):
            return False
        raise net_exc.NetworkNotFound(id=port.network_id) from None


def _set_mac(session, port, asked, base_mac):
    if asked is not None:
        port.mac_address = macs.normalise(asked)
        if not _insert(session, port):
            raise net_exc.MacAddressInUse(network_id=port.network_id, mac=port.mac_address)
        return
    for _ in range(MAC_ATTEMPTS):
        port.mac_address = macs.generate(base_mac)
        if _insert(session, port):
            return
    raise net_exc.MacAddressGenerationFailure(network_id=port.network_id)


def create(session, conf, caller, project_id, attrs):
    network = networks.usable(session, caller, attrs['network_id'])
    quotas.check(session, conf, project_id, 'port')
    port = m.Port(
        project_id=project_id, network_id=network.id, name=attrs.get('name') or '',
        description=attrs.get('description') or '',
        admin_state_up=attrs.get('admin_state_up', True),
        device_id=attrs.get('device_id') or '', device_owner=attrs.get('device_owner') or '',
        binding_host_id=attrs.get('binding:host_id') or '',
        binding_vnic_type=attrs.get('binding:vnic_type') or 'normal',
        binding_profile=attrs.get('binding:profile') or {},
        port_security_enabled=attrs.get('port_security_enabled',
                                        network.port_security_enabled),
        allowed_address_pairs=_address_pairs(attrs.get('allowed_address_pairs')),
        status=DOWN)
    group_ids = _security_group_ids(session, caller, project_id, port,
                                    attrs.get('security_groups'))
    _check_port_security(port, group_ids)
    _set_mac(session, port, attrs.get('mac_address'), conf.base_mac)
    ipam.allocate(session, port, attrs.get('fixed_ips'))
    for group_id in group_ids:
        session.add(m.PortSecurityGroup(port_id=port.id, security_group_id=group_id))
    session.flush()
    session.expire(port, ['fixed_ips', 'security_group_bindings'])
    return port


SIMPLE = {'name': 'name', 'description': 'description', 'admin_state_up': 'admin_state_up',
          'device_id': 'device_id', 'device_owner': 'device_owner',
          'binding:host_id': 'binding_host_id', 'binding:vnic_type': 'binding_vnic_type',
          'binding:profile': 'binding_profile', 'port_security_enabled': 'port_security_enabled'}
EMPTY_IS = {'name': '', 'description': '', 'device_id': '', 'device_owner': '',
            'binding:host_id': '', 'binding:profile': {}, 'binding:vnic_type': 'normal'}


def _check_floating_ips_kept(session, port, kept_addresses):
    """409 when the update would drop an address of ``port`` a floating IP points at."""
    stranded = session.execute(sa.select(m.FloatingIP.id, m.FloatingIP.fixed_ip_address).where(
        m.FloatingIP.fixed_port_id == port.id,
        m.FloatingIP.fixed_ip_address.not_in(kept_addresses))
        .order_by(m.FloatingIP.id).limit(1)).first()
    if stranded is not None:
        raise net_exc.FixedIpInUseByFloatingIP(port_id=port.id, ip_address=stranded[1],
                                               fip_id=stranded[0])


def _update_fixed_ips(session, port, requests):
    """Give ``port`` the addresses ``requests`` ask for, matching them as Neutron does.

    A request naming an address the port holds keeps it; then a request naming
    only a subnet keeps an address the port still holds there; every other
    request is a new allocation, and unmatched addresses are freed, unless a
    floating IP points at one (409).  The port is locked first, so that a
    concurrent association sees the addresses before or after the change.
    """
    db_api.lock(session, m.Port, port.id)
    held = [(a.subnet_id, a.ip_address) for a in port.fixed_ips]
    keep, wanted = set(), []

    def take(request, matches):
        match = next((h for h in held if matches(h)), None)
        if match is None:
            wanted.append(request)
        else:
            held.remove(match)
            keep.add(match)
    for request in requests:
        if request.get('ip_address') is not None:
            address = str(cidrs.parse_address(request['ip_address']))
            take(request, lambda h: h[1] == address and
                 request.get('subnet_id') in (None, h[0]))
    for request in requests:
        if request.get('ip_address') is None and request.get('subnet_id') is not None:
            take(request, lambda h: h[0] == request['subnet_id'])
        elif request.get('ip_address') is None:
            wanted.append(request)
    _check_floating_ips_kept(session, port, [address for _, address in keep])
    ipam.release(session, port, keep)
    ipam.allocate(session, port, wanted)


def update(session, caller, port, attrs):
    previous_host = port.binding_host_id
    for key, value in attrs.items():
        if key in SIMPLE:
            setattr(port, SIMPLE[key], EMPTY_IS.get(key) if value is None else value)
    if 'allowed_address_pairs' in attrs:
        port.allowed_address_pairs = _address_pairs(attrs['allowed_address_pairs'])
    group_ids = [b.security_group_id for b in port.security_group_bindings]
    if 'security_groups' in attrs:
        group_ids = _security_group_ids(session, caller, port.project_id, port,
                                        attrs['security_groups'] or [])
        port.security_group_bindings = [
            m.PortSecurityGroup(port_id=port.id, security_group_id=g) for g in group_ids]
    _check_port_security(port, group_ids)
    if 'fixed_ips' in attrs:
        _update_fixed_ips(session, port, attrs['fixed_ips'] or [])
    port.status = status_after_update(port, previous_host)
    db_api.bump_revision(port)
    session.flush()
    session.expire(port, ['fixed_ips', 'security_group_bindings'])
    return port


def delete(session, port):
    """Delete ``port``; its addresses are freed with it (ON DELETE CASCADE and the ORM),
    and its floating IPs are disassociated.  The ports of routers and floating IPs go
    with them, never through the port API (a stale one may go, as in Neutron).

    Locked first: an association or interface racing with the delete either
    finishes first (and is seen) or finds no port."""
    db_api.lock(session, m.Port, port.id)
    if db_api.serves_router_or_floating_ip(session, port.id):
        raise net_exc.ServicePortInUse(port_id=port.id, device_owner=port.device_owner)
    db_api.disassociate_floating_ips(session, port.id)
    session.delete(port)
    session.flush()
