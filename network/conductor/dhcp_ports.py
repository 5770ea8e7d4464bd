"""The DHCP port of a network: the address its DHCP server answers from.

The conductor makes it when it schedules the network to a DHCP agent and
keeps it in step: an address on each DHCP-enabled subnet and none other,
``device_id`` and ``binding:host_id`` naming the agent's host (Neutron's
``dhcp<uuid5 of the host>-<network id>``).  Moving the network to another
agent moves the same port, so the server keeps its addresses.  It is a
service port (``network.networks.SERVICE_OWNERS``): it does not keep its
subnet or network in use, and belongs to no project, like the other ports
the service makes for itself.
"""
import logging
import uuid

import sqlalchemy as sa

from network import ports
from network import routers
from network.db import models as m

LOG = logging.getLogger(__name__)
OWNER = 'network:dhcp'


def device_id(host, network_id):
    """Neutron's ``device_id`` of the DHCP port of ``network_id`` served from ``host``."""
    return f'dhcp{uuid.uuid5(uuid.NAMESPACE_DNS, host)}-{network_id}'


def of_network(session, network_id):
    """The DHCP ports of ``network_id``, oldest first."""
    return list(session.execute(
        sa.select(m.Port).where(m.Port.network_id == network_id, m.Port.device_owner == OWNER)
        .order_by(m.Port.created_at, m.Port.id)).scalars())


def is_current(port, host, dhcp_subnet_ids):
    """Whether ``port`` already is what ``ensure`` would make it for ``host``."""
    return (port.device_id == device_id(host, port.network_id)
            and port.binding_host_id == host
            and sorted(a.subnet_id for a in port.fixed_ips) == sorted(dhcp_subnet_ids))


def ensure(session, conf, network_id, host, dhcp_subnet_ids):
    """The one DHCP port of ``network_id``, made or updated to be served from ``host``
    with one address on each subnet of ``dhcp_subnet_ids``; extra ones are deleted.

    :raises IpAddressGenerationFailure: a DHCP subnet has no free address.
    """
    existing = of_network(session, network_id)
    for extra in existing[1:]:
        LOG.info('Deleting extra DHCP port %s of network %s', extra.id, network_id)
        session.delete(extra)
    if not existing:
        port = ports.create(session, conf, routers.SERVICE, routers.SERVICE_PROJECT, {
            'network_id': network_id, 'device_owner': OWNER,
            'device_id': device_id(host, network_id), 'binding:host_id': host,
            'fixed_ips': [{'subnet_id': s} for s in dhcp_subnet_ids]})
        LOG.info('Created DHCP port %s of network %s on host %s', port.id, network_id, host)
        return port
    port = existing[0]
    if is_current(port, host, dhcp_subnet_ids):
        return port
    kept = [{'subnet_id': a.subnet_id, 'ip_address': a.ip_address} for a in port.fixed_ips
            if a.subnet_id in dhcp_subnet_ids]
    held = {a['subnet_id'] for a in kept}
    wanted = kept + [{'subnet_id': s} for s in dhcp_subnet_ids if s not in held]
    LOG.info('Updating DHCP port %s of network %s for host %s', port.id, network_id, host)
    return ports.update(session, routers.SERVICE, port, {
        'device_id': device_id(host, network_id), 'binding:host_id': host,
        'fixed_ips': wanted})


def delete_all(session, network_id):
    """Delete the DHCP ports of ``network_id`` (it has no DHCP subnet left)."""
    for port in of_network(session, network_id):
        LOG.info('Deleting DHCP port %s of network %s: no DHCP subnet left', port.id,
                 network_id)
        session.delete(port)
    session.flush()
