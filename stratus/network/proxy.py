"""``conn.network``: the Neutron v2.0 API as ``network/api/`` implements it.

The catalog lists the network service unversioned (``http://host:9696``),
as Neutron's does, and the proxy appends ``/v2.0`` as openstacksdk does; a
catalog URL that already ends in ``/v2.0`` is used as it is.

Arguments named ``network``, ``subnet``, ``port`` … take an id or the
resource.  List methods are generators that follow Neutron's
``<collection>_links``; their keyword arguments are the API's filters (a
list value is sent as a repeated parameter, which Neutron reads as "any
of"), plus ``fields``, ``sort_key``/``sort_dir`` and ``limit`` (the page
size).  Neutron updates with ``PUT`` and deletes answer 204.  Routers and
floating IPs are here so that callers need no other client once the
service serves them.
"""
from stratus import proxy
from stratus.proxy import quote, resource_id
from stratus.resource import Resource

API_VERSION = 'v2.0'


class NetworkProxy(proxy.Proxy):
    service_type = 'network'

    def __init__(self, connection, service_type=None):
        super().__init__(connection, service_type)
        self._prefix = None

    def _path(self, *parts):
        """``/v2.0/<parts>`` (or ``/<parts>`` when the catalog URL is versioned already)."""
        if self._prefix is None:
            versioned = self.base_url().rstrip('/').endswith('/' + API_VERSION)
            self._prefix = '' if versioned else '/' + API_VERSION
        return self._prefix + ''.join(f'/{quote(resource_id(part))}' for part in parts)

    # --- generic CRUD of one Neutron resource ------------------------------------------

    def _collection(self, collection, **filters):
        return self._list(self._path(collection), collection.replace('-', '_'), **filters)

    def _show(self, collection, key, value, **params):
        return self._get(self._path(collection, value), key, **params)

    def _search(self, collection, key, name_or_id, ignore_missing, **filters):
        return self._find(self._path(collection), key, name_or_id,
                          collection_key=collection.replace('-', '_'),
                          ignore_missing=ignore_missing, **filters)

    def _make(self, collection, key, attrs):
        return self._create(self._path(collection), key, attrs)

    def _change(self, collection, key, value, attrs):
        return self._update(self._path(collection, value), key, attrs, method='PUT')

    def _remove(self, collection, value, ignore_missing):
        self._delete(self._path(collection, value), ignore_missing)

    # --- discovery ------------------------------------------------------------------

    def extensions(self):
        """The extensions the service implements (``alias``, ``name`` …)."""
        return self._collection('extensions')

    def get_extension(self, alias):
        return self._show('extensions', 'extension', alias)

    def availability_zones(self, **filters):
        """Zones of the agents (``name``, ``resource`` ``network``/``router``, ``state``)."""
        return self._collection('availability_zones', **filters)

    # --- networks -------------------------------------------------------------------

    def networks(self, **filters):
        return self._collection('networks', **filters)

    def get_network(self, network, **params):
        return self._show('networks', 'network', network, **params)

    def find_network(self, name_or_id, *, ignore_missing=False, **filters):
        """:raises NotFound: none matches (unless ``ignore_missing``: ``None``).
        :raises DuplicateResource: more than one has that name."""
        return self._search('networks', 'network', name_or_id, ignore_missing, **filters)

    def create_network(self, **attrs):
        """``name``, ``shared``, ``router:external``, ``provider:network_type`` …"""
        return self._make('networks', 'network', attrs)

    def update_network(self, network, **attrs):
        return self._change('networks', 'network', network, attrs)

    def delete_network(self, network, *, ignore_missing=True):
        self._remove('networks', network, ignore_missing)

    def network_ip_availabilities(self, **filters):
        """Used and total addresses per network (admin)."""
        return self._collection('network-ip-availabilities', **filters)

    def get_network_ip_availability(self, network):
        return self._show('network-ip-availabilities', 'network_ip_availability', network)

    # --- subnets --------------------------------------------------------------------

    def subnets(self, **filters):
        return self._collection('subnets', **filters)

    def get_subnet(self, subnet, **params):
        return self._show('subnets', 'subnet', subnet, **params)

    def find_subnet(self, name_or_id, *, ignore_missing=False, **filters):
        return self._search('subnets', 'subnet', name_or_id, ignore_missing, **filters)

    def create_subnet(self, *, network=None, **attrs):
        """``cidr``, ``ip_version`` (4 or 6), ``gateway_ip``, ``allocation_pools`` …

        :param network: the network (id or network): ``network_id``.
        """
        if network is not None:
            attrs['network_id'] = resource_id(network)
        return self._make('subnets', 'subnet', attrs)

    def update_subnet(self, subnet, **attrs):
        return self._change('subnets', 'subnet', subnet, attrs)

    def delete_subnet(self, subnet, *, ignore_missing=True):
        self._remove('subnets', subnet, ignore_missing)

    # --- ports ----------------------------------------------------------------------

    def ports(self, **filters):
        """Ports; e.g. ``device_id=<server>``, ``network_id=…``, ``fixed_ips=['ip_address=…']``."""
        return self._collection('ports', **filters)

    def get_port(self, port, **params):
        return self._show('ports', 'port', port, **params)

    def find_port(self, name_or_id, *, ignore_missing=False, **filters):
        return self._search('ports', 'port', name_or_id, ignore_missing, **filters)

    def create_port(self, *, network=None, **attrs):
        """``fixed_ips``, ``device_id``, ``device_owner``, ``binding:host_id``,
        ``security_groups`` …

        :param network: the network (id or network): ``network_id``.
        """
        if network is not None:
            attrs['network_id'] = resource_id(network)
        return self._make('ports', 'port', attrs)

    def update_port(self, port, **attrs):
        return self._change('ports', 'port', port, attrs)

    def delete_port(self, port, *, ignore_missing=True):
        self._remove('ports', port, ignore_missing)

    # --- security groups ------------------------------------------------------------

    def security_groups(self, **filters):
        return self._collection('security-groups', **filters)

    def get_security_group(self, security_group):
        return self._show('security-groups', 'security_group', security_group)

    def find_security_group(self, name_or_id, *, ignore_missing=False, **filters):
        return self._search('security-groups', 'security_group', name_or_id, ignore_missing,
                            **filters)

    def create_security_group(self, **attrs):
        return self._make('security-groups', 'security_group', attrs)

    def update_security_group(self, security_group, **attrs):
        return self._change('security-groups', 'security_group', security_group, attrs)

    def delete_security_group(self, security_group, *, ignore_missing=True):
        self._remove('security-groups', security_group, ignore_missing)

    def security_group_rules(self, **filters):
        return self._collection('security-group-rules', **filters)

    def get_security_group_rule(self, rule):
        return self._show('security-group-rules', 'security_group_rule', rule)

    def create_security_group_rule(self, *, security_group=None, **attrs):
        """``direction``, ``ethertype``, ``protocol``, ``port_range_min``/``max``,
        ``remote_ip_prefix`` or ``remote_group_id``.

        :param security_group: the group (id or group): ``security_group_id``.
        """
        if security_group is not None:
            attrs['security_group_id'] = resource_id(security_group)
        return self._make('security-group-rules', 'security_group_rule', attrs)

    def delete_security_group_rule(self, rule, *, ignore_missing=True):
        self._remove('security-group-rules', rule, ignore_missing)

    # --- routers --------------------------------------------------------------------

    def routers(self, **filters):
        return self._collection('routers', **filters)

    def get_router(self, router):
        return self._show('routers', 'router', router)

    def find_router(self, name_or_id, *, ignore_missing=False, **filters):
        return self._search('routers', 'router', name_or_id, ignore_missing, **filters)

    def create_router(self, **attrs):
        """``name``, ``external_gateway_info`` (``{"network_id", "enable_snat"}``) …"""
        return self._make('routers', 'router', attrs)

    def update_router(self, router, **attrs):
        """``external_gateway_info`` (``None`` clears the gateway), ``routes`` …"""
        return self._change('routers', 'router', router, attrs)

    def delete_router(self, router, *, ignore_missing=True):
        self._remove('routers', router, ignore_missing)

    def _interface(self, action, router, subnet, port):
        if (subnet is None) == (port is None):
            raise TypeError('Name exactly one of subnet and port.')
        body = ({'subnet_id': resource_id(subnet)} if subnet is not None
                else {'port_id': resource_id(port)})
        return Resource(self._json('PUT', self._path('routers', router, action), json=body))

    def add_interface_to_router(self, router, *, subnet=None, port=None):
        """Attach a subnet (the router takes its gateway address) or a port.

        :returns: ``id``, ``subnet_id``, ``port_id``, ``tenant_id``.
        """
        return self._interface('add_router_interface', router, subnet, port)

    def remove_interface_from_router(self, router, *, subnet=None, port=None):
        return self._interface('remove_router_interface', router, subnet, port)

    # --- floating IPs ---------------------------------------------------------------

    def floating_ips(self, **filters):
        return self._collection('floatingips', **filters)

    def get_floating_ip(self, floating_ip):
        return self._show('floatingips', 'floatingip', floating_ip)

    def create_floating_ip(self, *, floating_network=None, **attrs):
        """Allocate an address of an external network.

        :param floating_network: that network (id or network): ``floating_network_id``.
        :param attrs: ``port_id`` to associate at once, ``floating_ip_address`` …
        """
        if floating_network is not None:
            attrs['floating_network_id'] = resource_id(floating_network)
        return self._make('floatingips', 'floatingip', attrs)

    def update_floating_ip(self, floating_ip, **attrs):
        """``port_id`` associates (``None`` disassociates), ``fixed_ip_address`` …"""
        return self._change('floatingips', 'floatingip', floating_ip, attrs)

    def delete_floating_ip(self, floating_ip, *, ignore_missing=True):
        self._remove('floatingips', floating_ip, ignore_missing)

    # --- quotas ---------------------------------------------------------------------

    def quotas(self, **filters):
        """The projects whose limits differ from the defaults (admin)."""
        return self._collection('quotas', **filters)

    def get_quota(self, project, *, details=False):
        """A project's limits; with ``details``, ``{resource: {"limit", "used", "reserved"}}``."""
        parts = ('quotas', project, 'details') if details else ('quotas', project)
        return Resource(self._json('GET', self._path(*parts))['quota'])

    def get_quota_default(self, project):
        return Resource(self._json('GET', self._path('quotas', project, 'default'))['quota'])

    def update_quota(self, project, **limits):
        """Set limits (``port=…``, ``network=…``; -1: none) of a project (admin)."""
        return self._change('quotas', 'quota', project, limits)

    def delete_quota(self, project):
        """Put a project's limits back to the defaults (admin)."""
        self._remove('quotas', project, ignore_missing=True)

    # --- agents ---------------------------------------------------------------------

    def agents(self, **filters):
        """Agents of the hosts (admin): ``agent_type``, ``host``, ``alive`` …"""
        return self._collection('agents', **filters)

    def get_agent(self, agent):
        return self._show('agents', 'agent', agent)

    def update_agent(self, agent, **attrs):
        """``admin_state_up`` and ``description`` only."""
        return self._change('agents', 'agent', agent, attrs)

    def delete_agent(self, agent, *, ignore_missing=True):
        self._remove('agents', agent, ignore_missing)
