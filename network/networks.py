"""Networks: who sees them, their segment (VXLAN id), MTU, in-use deletes."""
import random

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common.db.session import is_duplicate_entry
from network import exceptions as net_exc
from network import quotas
from network.db import api as db_api
from network.db import models as m

VXLAN_OVERHEAD = 50
SEGMENT_ATTEMPTS = 20
# Ports the service creates and removes itself; they do not keep a subnet or network
# "in use".  As in Neutron, router interfaces, router gateways and floating IPs do: the
# router or floating IP must go first (Tempest expects that 409).
SERVICE_OWNERS = ('network:dhcp', 'network:distributed', 'network:floatingip_agent_gateway')
# Ports that need their network to stay external: router gateways and floating IPs.
L3_OWNERS = ('network:router_gateway', 'network:floatingip')


def is_service_owned(port):
    return port.device_owner in SERVICE_OWNERS


def visible(caller):
    """The SQL condition for networks ``caller`` may see."""
    if caller.is_admin:
        return sa.true()
    return sa.or_(m.Network.project_id == caller.project_id, m.Network.shared.is_(True),
                  m.Network.external.is_(True))


def get(session, caller, network_id):
    network = session.execute(sa.select(m.Network).where(
        m.Network.id == network_id, visible(caller))).scalar_one_or_none()
    if network is None:
        raise net_exc.NetworkNotFound(id=network_id)
    return network


def usable(session, caller, network_id):
    """A network ``caller`` may put ports or subnets on: theirs, shared, or any for admins."""
    network = session.execute(sa.select(m.Network).where(m.Network.id == network_id))\
        .scalar_one_or_none()
    if network is None or not (caller.is_admin or network.shared
                               or network.project_id == caller.project_id):
        raise net_exc.NetworkNotFound(id=network_id)
    return network


def _mtu(conf, network_type, asked):
    largest = conf.global_physnet_mtu - (VXLAN_OVERHEAD if network_type == 'vxlan' else 0)
    if asked is None:
        return largest
    if not 68 <= asked <= largest:
        raise net_exc.InvalidInput(detail=f'Requested MTU {asked} is not between 68 and '
                                          f'the largest possible, {largest}')
    return asked


def _segment(attrs, conf):
    """(network_type, physical_network, segmentation_id) asked for, validated."""
    network_type = attrs.get('provider:network_type') or conf.default_network_type
    physnet = attrs.get('provider:physical_network')
    seg_id = attrs.get('provider:segmentation_id')
    if network_type == 'vxlan':
        if physnet:
            raise net_exc.InvalidInput(detail='provider:physical_network specified for '
                                              'VXLAN network')
        if seg_id is not None and not 1 <= seg_id <= 16777215:
            raise net_exc.InvalidInput(detail=f'segmentation_id {seg_id} out of range '
                                              '(1 through 16777215)')
    elif network_type == 'flat':
        if not physnet:
            raise net_exc.InvalidInput(detail='physical_network required for flat '
                                              'provider network')
        if seg_id is not None:
            raise net_exc.InvalidInput(detail='segmentation_id specified for flat '
                                              'provider network')
    else:
        if physnet or seg_id is not None:
            raise net_exc.InvalidInput(detail='provider attributes other than '
                                              'network_type given for local network')
    return network_type, physnet, seg_id


def _insert_with_segment(session, network, conf):
    """Add ``network``, choosing a free VXLAN id when it has none; the unique key decides."""
    if network.network_type != 'vxlan' or network.segmentation_id is not None:
        try:
            with session.begin_nested():
                session.add(network)
        except sa_exc.IntegrityError as exc:
            if is_duplicate_entry(exc):
                raise net_exc.SegmentationIdInUse(
                    segmentation_id=network.segmentation_id) from None
            raise
        return
    low, high = conf.vni_min, conf.vni_max
    for _ in range(SEGMENT_ATTEMPTS):
        used = db_api.used_segmentation_ids(session, 'vxlan', low, high)
        if len(used) >= high - low + 1:
            break
        candidate = random.randint(low, high)
        while candidate in used:
            candidate = low + (candidate - low + 1) % (high - low + 1)
        network.segmentation_id = candidate
        try:
            with session.begin_nested():
                session.add(network)
            return
        except sa_exc.IntegrityError as exc:
            if not is_duplicate_entry(exc):
                raise
    raise net_exc.NoNetworkAvailable()


def create(session, conf, project_id, attrs):
    quotas.check(session, conf, project_id, 'network')
    network_type, physnet, seg_id = _segment(attrs, conf)
    network = m.Network(
        project_id=project_id, name=attrs.get('name') or '',
        description=attrs.get('description') or '',
        admin_state_up=attrs.get('admin_state_up', True),
        shared=attrs.get('shared', False), external=attrs.get('router:external', False),
        network_type=network_type, physical_network=physnet, segmentation_id=seg_id,
        mtu=_mtu(conf, network_type, attrs.get('mtu')),
        port_security_enabled=attrs.get('port_security_enabled', True),
        availability_zone_hints=attrs.get('availability_zone_hints') or [])
    _insert_with_segment(session, network, conf)
    return network


UPDATABLE = {'name': 'name', 'description': 'description', 'admin_state_up': 'admin_state_up',
             'shared': 'shared', 'router:external': 'external',
             'port_security_enabled': 'port_security_enabled'}


def update(session, conf, network, attrs):
    for key, value in attrs.items():
        if key == 'mtu':
            network.mtu = _mtu(conf, network.network_type, value)
        elif key in ('name', 'description'):
            setattr(network, key, value or '')
        elif key == 'router:external' and network.external and not value and \
                db_api.ports_on(session, network_id=network.id, device_owners=L3_OWNERS):
            raise net_exc.ExternalNetworkInUse(net_id=network.id)
        elif key in UPDATABLE:
            setattr(network, UPDATABLE[key], value)
        else:
            raise net_exc.InvalidInput(detail=f'Cannot update read-only attribute {key}')
    db_api.bump_revision(network)
    session.flush()
    return network


def delete(session, network):
    """Delete ``network`` and its subnets; 409 while a port the service does not own is on it.

    The network's row is locked first: a port being created on it holds the
    row (its foreign key) until it commits, so the check below sees that port
    instead of the delete cascading over it.
    """
    db_api.lock(session, m.Network, network.id)
    ports = db_api.ports_on(session, network_id=network.id)
    if any(not is_service_owned(p) for p in ports):
        raise net_exc.NetworkInUse(id=network.id)
    for port in ports:
        session.delete(port)
    session.flush()
    session.execute(sa.delete(m.Subnet).where(m.Subnet.network_id == network.id))
    session.delete(network)
