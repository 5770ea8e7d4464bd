"""``conn.compute``: the Nova v2.1 API as ``compute/api/`` implements it.

The catalog lists the versioned endpoint (``http://host:8774/v2.1``), so
paths here are relative to it.  Every request names a microversion: on first
use the proxy reads the endpoint's version document and then sends
the lower of the server's maximum and 2.60 in both ``OpenStack-API-Version:
compute X.Y`` and the legacy ``X-OpenStack-Nova-API-Version`` (Nova answers
in the shape of the version asked for, so the proxy pins the one it was
written against).

Arguments named ``server``, ``flavor``, ``image`` … take an id or the
resource; a key pair is named by its name.  List methods are generators
that follow Nova's ``<collection>_links``; their keyword arguments are the
API's query filters.  Actions return nothing (the API answers 202 and
works on); ``wait_for_server`` and ``wait_for_delete`` poll for the end.
"""
import time

from stratus import exceptions, proxy
from stratus.compute.exceptions import ServerFailed, WaitTimeout
from stratus.proxy import quote, resource_id
from stratus.resource import Resource


def _path(*parts):
    return ''.join(f'/{quote(resource_id(part))}' for part in parts)


class ComputeProxy(proxy.MicroversionProxy):
    service_type = 'compute'
    max_microversion = '2.60'
    microversion_service = 'compute'
    legacy_version_header = 'X-OpenStack-Nova-API-Version'

    # --- servers --------------------------------------------------------------------

    def servers(self, details=True, **filters):
        """Servers visible to the caller; ``all_tenants=True`` (admin) for every project's."""
        return self._list('/servers/detail' if details else '/servers', 'servers', **filters)

    def get_server(self, server):
        return self._get(_path('servers', server), 'server')

    def find_server(self, name_or_id, *, ignore_missing=False, **filters):
        """The server whose id, else whose exact name, is ``name_or_id``.

        :raises NotFound: none matches (unless ``ignore_missing``: ``None``).
        :raises DuplicateResource: more than one server has that name.
        """
        try:
            return self.get_server(name_or_id)
        except (exceptions.NotFound, exceptions.BadRequest):
            pass
        # Nova's name filter is a regular expression: keep exact matches only.
        matches = [s for s in self.servers(name=name_or_id, **filters)
                   if s.get('name') == name_or_id]
        return proxy.single_match(matches, 'server', name_or_id, ignore_missing)

    def create_server(self, *, image=None, flavor=None, **attrs):
        """Ask for a server (it starts in ``BUILD``; see ``wait_for_server``).

        :param image: the image (id or image) to boot from: ``imageRef``.
        :param flavor: the flavor (id or flavor): ``flavorRef``.
        :param attrs: the other fields of the API's ``server`` object as it
            names them (``name``, ``networks`` (``"none"``, ``"auto"`` or a
            list), ``key_name``, ``metadata``, ``min_count`` …); ``None``
            values are left out.
        :returns: the API's answer: ``id``, ``links``, ``adminPass`` …
        """
        if image is not None:
            attrs['imageRef'] = resource_id(image)
        if flavor is not None:
            attrs['flavorRef'] = resource_id(flavor)
        return self._create('/servers', 'server', attrs)

    def update_server(self, server, **attrs):
        """Change ``name``, ``description`` … (``PUT``)."""
        return self._update(_path('servers', server), 'server', attrs, method='PUT')

    def delete_server(self, server, *, ignore_missing=True, force=False):
        """Delete a server (``force``: the ``forceDelete`` action, admin only)."""
        if not force:
            self._delete(_path('servers', server), ignore_missing)
            return
        try:
            self._action(server, {'forceDelete': None})
        except exceptions.NotFound:
            if not ignore_missing:
                raise

    def wait_for_server(self, server, status='ACTIVE', failures=('ERROR',), interval=2.0,
                        wait=120.0):
        """Poll the server until its status is ``status`` (compared case-insensitively).

        :param failures: statuses from which ``status`` cannot be reached.
        :param interval: seconds between two reads.
        :param wait: seconds to wait at most.
        :returns: the server, as read when it reached ``status``.
        :raises ServerFailed: the server reached one of ``failures``; the
            message holds its fault, when it has one.
        :raises WaitTimeout: ``wait`` seconds passed first.
        """
        wanted = status.upper()
        failed = {f.upper() for f in failures}
        deadline = time.monotonic() + wait
        while True:
            current = self.get_server(server)
            current_status = (current.get('status') or '').upper()
            if current_status == wanted:
                return current
            if current_status in failed:
                fault = (current.get('fault') or {}).get('message')
                raise ServerFailed(f'Server {current.id} is {current_status}'
                                   f'{f": {fault}" if fault else ""}; it will not become '
                                   f'{wanted}.', current)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaitTimeout(f'Server {current.id} is still {current_status} after '
                                  f'{wait} s, not {wanted}.')
            time.sleep(min(interval, remaining))

    def wait_for_delete(self, server, interval=2.0, wait=120.0):
        """Poll until the server is gone (404, or ``DELETED`` as an admin may see it).

        :raises WaitTimeout: it still exists after ``wait`` seconds.
        """
        deadline = time.monotonic() + wait
        while True:
            try:
                current = self.get_server(server)
            except exceptions.NotFound:
                return
            if (current.get('status') or '').upper() == 'DELETED':
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaitTimeout(f'Server {current.id} still exists ({current.get("status")}) '
                                  f'after {wait} s.')
            time.sleep(min(interval, remaining))

    # --- server actions --------------------------------------------------------------

    def _action(self, server, body):
        return self.request('POST', _path('servers', server) + '/action', json=body)

    def start_server(self, server):
        self._action(server, {'os-start': None})

    def stop_server(self, server):
        self._action(server, {'os-stop': None})

    def reboot_server(self, server, reboot_type='SOFT'):
        """``reboot_type``: ``SOFT`` (the guest shuts down cleanly) or ``HARD``."""
        self._action(server, {'reboot': {'type': reboot_type}})

    def pause_server(self, server):
        self._action(server, {'pause': None})

    def unpause_server(self, server):
        self._action(server, {'unpause': None})

    def suspend_server(self, server):
        self._action(server, {'suspend': None})

    def resume_server(self, server):
        self._action(server, {'resume': None})

    def lock_server(self, server, reason=None):
        self._action(server, {'lock': {'locked_reason': reason} if reason else None})

    def unlock_server(self, server):
        self._action(server, {'unlock': None})

    def rebuild_server(self, server, image, **attrs):
        """Rebuild from ``image``; ``attrs``: ``name``, ``metadata``, ``key_name`` …"""
        body = {'imageRef': resource_id(image),
                **{k: v for k, v in attrs.items() if v is not None}}
        return Resource(self._action(server, {'rebuild': body}).json()['server'])

    def resize_server(self, server, flavor):
        """Resize to ``flavor``; the server goes to ``VERIFY_RESIZE``, then confirm or revert."""
        self._action(server, {'resize': {'flavorRef': resource_id(flavor)}})

    def confirm_server_resize(self, server):
        self._action(server, {'confirmResize': None})

    def revert_server_resize(self, server):
        self._action(server, {'revertResize': None})

    def create_server_image(self, server, name, metadata=None):
        """Snapshot the server into a new image of the image service; returns its id.

        The image exists at once (``queued``/``saving``) and becomes
        ``active`` when the snapshot is uploaded.
        """
        body = {'name': name, **({'metadata': metadata} if metadata else {})}
        response = self._action(server, {'createImage': body})
        if response.content:  # 2.45 and later
            return response.json()['image_id']
        return response.headers['Location'].rstrip('/').rsplit('/', 1)[-1]

    def get_server_console_output(self, server, length=None):
        """The tail of the server's console log (``length`` lines; all without)."""
        body = {'length': length} if length is not None else {}
        return self._action(server, {'os-getConsoleOutput': body}).json()['output']

    def server_actions(self, server):
        """What was done to the server (``os-instance-actions``), newest first."""
        return self._list(_path('servers', server) + '/os-instance-actions',
                          'instanceActions')

    def get_server_action(self, server, request_id):
        """One action, with its ``events`` (each step and its result)."""
        return self._get(_path('servers', server, 'os-instance-actions', request_id),
                         'instanceAction')

    # --- flavors --------------------------------------------------------------------

    def flavors(self, details=True, **filters):
        """Flavors; ``is_public='None'`` lists public and accessible private ones."""
        return self._list('/flavors/detail' if details else '/flavors', 'flavors', **filters)

    def get_flavor(self, flavor):
        return self._get(_path('flavors', flavor), 'flavor')

    def find_flavor(self, name_or_id, *, ignore_missing=False):
        """The flavor whose id, else whose name, is ``name_or_id`` (private ones included).

        Nova has no name filter on flavors: the list is matched here, as the
        OpenStack clients do.
        """
        try:
            return self.get_flavor(name_or_id)
        except (exceptions.NotFound, exceptions.BadRequest):
            pass
        matches = [f for f in self.flavors(is_public='None') if f.get('name') == name_or_id]
        return proxy.single_match(matches, 'flavor', name_or_id, ignore_missing)

    def create_flavor(self, *, name, ram, vcpus, disk, id=None, is_public=True, **attrs):
        """Create a flavor (admin).  ``id=None`` lets the API choose a UUID.

        :param attrs: other fields as the API names them (``swap``,
            ``OS-FLV-EXT-DATA:ephemeral``, ``rxtx_factor``, ``description``).
        """
        body = {'name': name, 'ram': ram, 'vcpus': vcpus, 'disk': disk, 'id': id,
                'os-flavor-access:is_public': is_public, **attrs}
        return Resource(self._json('POST', '/flavors', json={'flavor': body})['flavor'])

    def delete_flavor(self, flavor, *, ignore_missing=True):
        self._delete(_path('flavors', flavor), ignore_missing)

    def get_flavor_extra_specs(self, flavor):
        return Resource(self._json('GET', _path('flavors', flavor) + '/os-extra_specs')
                        ['extra_specs'])

    def create_flavor_extra_specs(self, flavor, specs):
        """Add or change extra specs (``{"hw:cpu_policy": "dedicated"}``)."""
        return Resource(self._json('POST', _path('flavors', flavor) + '/os-extra_specs',
                                   json={'extra_specs': specs})['extra_specs'])

    def flavor_access(self, flavor):
        """The projects a private flavor is shared with."""
        return [Resource(a) for a in self._json(
            'GET', _path('flavors', flavor) + '/os-flavor-access')['flavor_access']]

    def add_flavor_access(self, flavor, project):
        self._action_on('flavors', flavor, {'addTenantAccess': {'tenant': resource_id(project)}})

    def remove_flavor_access(self, flavor, project):
        self._action_on('flavors', flavor,
                        {'removeTenantAccess': {'tenant': resource_id(project)}})

    def _action_on(self, collection, item, body):
        return self.request('POST', _path(collection, item) + '/action', json=body)

    # --- key pairs ------------------------------------------------------------------

    def keypairs(self, **filters):
        """The caller's key pairs (``user_id=…`` for another user's, admin)."""
        for item in self._list('/os-keypairs', 'keypairs', **filters):
            yield item['keypair']

    def get_keypair(self, name, **filters):
        return self._get(_path('os-keypairs', name), 'keypair', **filters)

    def create_keypair(self, *, name, public_key=None, type=None):
        """Import ``public_key``, or (without it) have the API generate a key
        pair: its answer then holds the ``private_key``, shown only once."""
        return self._create('/os-keypairs', 'keypair',
                            {'name': name, 'public_key': public_key, 'type': type})

    def delete_keypair(self, name, *, ignore_missing=True):
        self._delete(_path('os-keypairs', name), ignore_missing)

    # --- server groups ---------------------------------------------------------------

    def server_groups(self, **filters):
        return self._list('/os-server-groups', 'server_groups', **filters)

    def get_server_group(self, group):
        return self._get(_path('os-server-groups', group), 'server_group')

    def create_server_group(self, *, name, policy):
        """``policy``: ``affinity``, ``anti-affinity``, ``soft-affinity`` or
        ``soft-anti-affinity`` (sent as the one-item ``policies`` list that
        microversions before 2.64 take)."""
        return self._create('/os-server-groups', 'server_group',
                            {'name': name, 'policies': [policy]})

    def delete_server_group(self, group, *, ignore_missing=True):
        self._delete(_path('os-server-groups', group), ignore_missing)

    # --- administration -----------------------------------------------------------------

    def services(self, **filters):
        """Conductors and agents (``binary``, ``host`` filters) with ``state`` up/down."""
        return self._list('/os-services', 'services', **filters)

    def update_service(self, service, **attrs):
        """``status='disabled'`` (with ``disabled_reason``) or ``'enabled'``,
        ``forced_down=True``: ``PUT /os-services/{id}``."""
        return self._update(_path('os-services', service), 'service', attrs, method='PUT')

    def delete_service(self, service, *, ignore_missing=True):
        self._delete(_path('os-services', service), ignore_missing)

    def hypervisors(self, details=False, **filters):
        return self._list('/os-hypervisors/detail' if details else '/os-hypervisors',
                          'hypervisors', **filters)

    def get_hypervisor(self, hypervisor):
        return self._get(_path('os-hypervisors', hypervisor), 'hypervisor')

    def get_quota_set(self, project, *, usage=False):
        """A project's limits; with ``usage``, each is ``{limit, in_use, reserved}``."""
        return self._get(_path('os-quota-sets', project) + ('/detail' if usage else ''),
                         'quota_set')

    def update_quota_set(self, project, **limits):
        return self._update(_path('os-quota-sets', project), 'quota_set', limits,
                            method='PUT')

    def get_limits(self):
        """The caller's ``absolute`` limits and what it uses of them."""
        return self._get('/limits', 'limits')

    def usages(self, start, end, **filters):
        """Per-project usage (``os-simple-tenant-usage``) between two datetimes."""
        return self._list('/os-simple-tenant-usage', 'tenant_usages',
                          start=start.isoformat(), end=end.isoformat(), **filters)

    def availability_zones(self, details=False):
        path = '/os-availability-zone' + ('/detail' if details else '')
        return [Resource(z) for z in self._json('GET', path)['availabilityZoneInfo']]

    def create_server_external_events(self, events):
        """Report events of servers (a service's or a cloud admin's call).

        :param events: dicts with ``name`` (``network-vif-plugged`` …),
            ``server_uuid``, and optionally ``tag`` (the port id of network
            events) and ``status`` (``completed``, ``failed``, ``in-progress``).
        :returns: the events as the API gave them back, each with ``code``:
            200 accepted, 404 no such server, 422 the server has no host.
        :raises NotFound: no event was accepted (none of the servers exists).
        """
        return [Resource(e) for e in self._json('POST', '/os-server-external-events',
                                                json={'events': list(events)})['events']]
