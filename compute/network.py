"""Ports of servers, through the network service's Neutron v2.0 API.

The conductor makes a server's ports as the user who asked for the server
(``common.clients.user_connection``), exactly as the user could, through
the SDK's network proxy (``conn.network``): compute never opens the network
service's database.  As Nova does, a port of a server carries
``device_id`` = the server, ``device_owner`` = ``compute:<zone>`` and
``binding:host_id`` = its host.

Ports compute creates are deleted with the server; ports the user made
and passed in (``{"port": id}``) are bound to the server and later
unbound (device and host cleared), never deleted (Nova's
``preexisting_port_ids``).
"""
import ipaddress
import logging

from common import clients
from common import exceptions
from stratus import exceptions as sdk_exceptions

LOG = logging.getLogger(__name__)


class NetworkAmbiguous(exceptions.Conflict):
    msg_fmt = 'Multiple possible networks found, use a Network ID to be more specific.'


class UnableToAutoAllocateNetwork(exceptions.BadRequest):
    msg_fmt = 'Unable to automatically allocate a network for project %(project_id)s'


class NetworkNotFound(exceptions.BadRequest):
    msg_fmt = 'Network %(network_id)s could not be found.'


class PortNotFound(exceptions.BadRequest):
    msg_fmt = 'Port id %(port_id)s could not be found.'


class PortInUse(exceptions.Conflict):
    msg_fmt = 'Port %(port_id)s is still in use.'


class SecurityGroupNotFound(exceptions.BadRequest):
    msg_fmt = 'Security group %(security_group_id)s not found.'


class NoUniqueMatch(exceptions.Conflict):
    msg_fmt = 'No Unique Match Found.'


class NetworkServiceError(exceptions.ServiceUnavailable):
    """The network service refused or failed a request in a way we do not map."""
    msg_fmt = 'The network service failed: %(reason)s'


def _port_id(port):
    return port.get('id') or port.get('port_id')


def _all(list_method, **filters):
    """Every item a proxy list method yields (its pages are fetched as it is read)."""
    return list(list_method(**filters))


class NetworkClient:
    """Creates, binds and releases the ports of servers.

    :param conf: the compute service's options.
    :param connect: ``connect(conf, ctx)`` returning a ``stratus.Connection``
        that acts for the user of ``ctx`` (tests give one with a fixed endpoint).
    """

    def __init__(self, conf, connect=clients.user_connection):
        self._conf = conf
        self._connect = connect

    def _network(self, ctx):
        return self._connect(self._conf, ctx).network

    def allocate_ports(self, ctx, instance_uuid, requested_networks, security_groups, *,
                       zone=None, host=None):
        """Make (or bind) the server's ports, all or none.

        :param requested_networks: ``"none"``; ``"auto"`` (the project's one
            network, else the one shared network); ``[]`` (the same, but no
            network at all is fine, as before microversion 2.37); or a list of
            ``{"uuid": network[, "fixed_ip": address]}`` / ``{"port": id}``.
        :param security_groups: names or ids (strings or ``{"name": …}``)
            applied to the ports compute creates; empty: the network
            service's default.
        :param zone: the server's zone, for ``device_owner`` ``compute:<zone>``
            (default ``[compute] default_availability_zone``).
        :param host: set as ``binding:host_id`` when given.
        :returns: the ports as the network service shows them, each with
            ``created_by_compute`` (False for a port the user passed in).
        :raises NetworkAmbiguous, UnableToAutoAllocateNetwork, NetworkNotFound,
            PortNotFound, PortInUse, SecurityGroupNotFound, NoUniqueMatch,
            NetworkServiceError: nothing is left allocated then.
        """
        if requested_networks == 'none':
            return []
        network = self._network(ctx)
        requests = self._resolve_requests(network, ctx, requested_networks)
        owner = {'device_id': instance_uuid,
                 'device_owner': f'compute:{zone or self._conf.compute.default_availability_zone}'}
        if host:
            owner['binding:host_id'] = host
        group_ids = None
        if security_groups and any('port' not in r for r in requests):
            group_ids = self._security_group_ids(network, ctx, security_groups)
        ports = []
        try:
            for request in requests:
                if request.get('port'):
                    ports.append(self._bind(network, request['port'], instance_uuid, owner))
                else:
                    ports.append(self._create(network, request, owner, group_ids))
        except Exception:
            self._release(network, ports, raise_errors=False)
            raise
        return ports

    def deallocate_ports(self, ctx, ports):
        """Delete the ports compute made and unbind the others; gone ones are fine.

        :param ports: dicts with ``id`` (or ``port_id``) and
            ``created_by_compute`` (as ``allocate_ports`` returned them, or
            the server's ``instance_ports`` rows).
        :raises NetworkServiceError: a port could not be released (the
            others were still tried).
        """
        if ports:
            self._release(self._network(ctx), ports, raise_errors=True)

    def list_networks(self, ctx, network_ids):
        """The networks with these ids that the user can see (for their names)."""
        if not network_ids:
            return []
        return self._call(_all, self._network(ctx).networks, id=sorted(set(network_ids)))

    # --- steps -----------------------------------------------------------------

    @staticmethod
    def _call(method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except sdk_exceptions.SDKError as exc:
            raise NetworkServiceError(reason=str(exc)) from exc

    def _available_networks(self, network, ctx, auto):
        """The project's own networks, then the shared ones (Nova's order)."""
        up = {'admin_state_up': True} if auto else {}
        nets = self._call(_all, network.networks, project_id=ctx.project_id, shared=False, **up)
        nets += self._call(_all, network.networks, shared=True, **up)
        return nets

    def _resolve_requests(self, network, ctx, requested_networks):
        """The list of ``{"uuid"…}``/``{"port"}`` requests ``requested_networks`` means."""
        if requested_networks not in ('auto', []):
            return list(requested_networks)
        nets = self._available_networks(network, ctx, auto=requested_networks == 'auto')
        if len(nets) > 1:
            raise NetworkAmbiguous()
        if not nets and requested_networks == 'auto':
            raise UnableToAutoAllocateNetwork(project_id=ctx.project_id)
        return [{'uuid': net['id']} for net in nets]

    def _security_group_ids(self, network, ctx, security_groups):
        """Ids of the project's groups named (or, failing a name, identified) so."""
        known = self._call(_all, network.security_groups, project_id=ctx.project_id)
        ids = []
        for wanted in security_groups:
            wanted = wanted['name'] if isinstance(wanted, dict) else wanted
            by_name = [g['id'] for g in known if g.get('name') == wanted]
            if len(by_name) > 1:
                raise NoUniqueMatch()
            by_id = [g['id'] for g in known if g['id'] == wanted]
            if not by_name and not by_id:
                raise SecurityGroupNotFound(security_group_id=wanted)
            ids.append((by_name or by_id)[0])
        return ids

    def _create(self, network, request, owner, group_ids):
        attrs = {'network_id': request['uuid'], 'admin_state_up': True, **owner}
        if request.get('fixed_ip'):
            attrs['fixed_ips'] = [{'ip_address': request['fixed_ip']}]
        if group_ids is not None:
            attrs['security_groups'] = group_ids
        try:
            port = network.create_port(**attrs)
        except sdk_exceptions.NotFound as exc:
            raise NetworkNotFound(network_id=request['uuid']) from exc
        except sdk_exceptions.SDKError as exc:
            raise NetworkServiceError(reason=str(exc)) from exc
        return {**port, 'created_by_compute': True}

    def _bind(self, network, port_id, instance_uuid, owner):
        try:
            port = network.get_port(port_id)
        except sdk_exceptions.NotFound as exc:
            raise PortNotFound(port_id=port_id) from exc
        except sdk_exceptions.SDKError as exc:
            raise NetworkServiceError(reason=str(exc)) from exc
        if port.get('device_id') and port['device_id'] != instance_uuid:
            raise PortInUse(port_id=port_id)
        port = self._call(network.update_port, port_id, **owner)
        return {**port, 'created_by_compute': False}

    def _release(self, network, ports, *, raise_errors):
        """Delete or unbind each port; the first failure is raised after trying all."""
        failure = None
        for port in ports:
            try:
                if port['created_by_compute']:
                    network.delete_port(_port_id(port))
                else:
                    # As Nova: no longer the server's, nor bound to its host.
                    network.update_port(_port_id(port), device_id='', device_owner='',
                                        **{'binding:host_id': None})
            except sdk_exceptions.NotFound:
                continue
            except sdk_exceptions.SDKError as exc:
                LOG.warning('Could not release port %s: %s', _port_id(port), exc)
                failure = failure or exc
        if failure is not None and raise_errors:
            raise NetworkServiceError(reason=str(failure)) from failure


def network_info(ports, networks):
    """What ``instances.network_info`` keeps of the ports, in their order.

    :param ports: port dicts (``id``, ``network_id``, ``mac_address``,
        ``fixed_ips``) as the network service returns them.
    :param networks: network dicts (``id``, ``name``) of those ports.
    :returns: ``[{"port_id", "network_id", "network_name", "mac",
        "ips": [{"addr", "version", "type": "fixed"}]}]``.
    """
    names = {net['id']: net.get('name') or net['id'] for net in networks}
    return [{'port_id': port['id'], 'network_id': port['network_id'],
             'network_name': names.get(port['network_id'], port['network_id']),
             'mac': port.get('mac_address'),
             'ips': [{'addr': ip['ip_address'],
                      'version': ipaddress.ip_address(ip['ip_address']).version,
                      'type': 'fixed'}
                     for ip in port.get('fixed_ips') or ()]}
            for port in ports]
