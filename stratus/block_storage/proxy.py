"""``conn.block_storage``: the Cinder v3 API as ``volume/api/`` implements it.

The catalog lists the service as ``block-storage`` (keystoneauth1 also
finds it under its aliases ``volumev3`` and ``volume``) with the project's
URL, ``http://host:8776/v3/{project_id}``, so paths here are relative to it.
Every request names a microversion: on first use the proxy reads the
version document of ``…/v3`` (Cinder's ``{"versions": [{"id": "v3.0",
"version": "3.x", …}]}``) and then sends ``OpenStack-API-Version: volume X.Y``
with the lower of the server's maximum and 3.65, the microversion
openstacksdk sends for snapshots: at 3.66 the ``force`` flag of snapshot
creation changes meaning (see API_COMPAT §6).

Arguments named ``volume``, ``snapshot``, ``backup``, ``volume_type``,
``attachment``, ``project`` … take an id or the resource.  List methods are
generators that follow Cinder's ``<collection>_links``; their keyword
arguments are the API's query filters (``status``, ``limit`` as the page
size, ``sort`` …), and ``all_projects=True`` (admin) sends ``all_tenants``.
Actions return nothing (the API answers 202 and works on), except
``upload_volume_to_image``; ``wait_for_status`` and ``wait_for_delete``
poll for the end.
"""
import re
import time
import urllib.parse

from stratus import exceptions, proxy
from stratus.block_storage.exceptions import ResourceFailed, WaitTimeout
from stratus.proxy import quote, resource_id
from stratus.resource import Resource

_V3_SEGMENT = re.compile(r'v3(\.\d+)?')
# What ``wait_for_status`` and ``wait_for_delete`` can poll: kind -> collection.
_WAITABLE = {'volume': 'volumes', 'snapshot': 'snapshots', 'backup': 'backups'}


def _path(*parts):
    return ''.join(f'/{quote(resource_id(part))}' for part in parts)


def version_url(endpoint):
    """The URL of the v3 version document: ``endpoint`` cut after its ``v3`` segment.

    ``http://h:8776/v3/<project>`` gives ``http://h:8776/v3``; an endpoint
    without such a segment is its own version URL.
    """
    parts = urllib.parse.urlsplit(endpoint)
    segments = parts.path.rstrip('/').split('/')
    for index in range(len(segments) - 1, -1, -1):
        if _V3_SEGMENT.fullmatch(segments[index]):
            path = '/'.join(segments[:index + 1])
            return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, '', ''))
    return endpoint


def advertised_version(document):
    """The maximum microversion in a version document, or ``None``.

    Cinder answers ``GET /v3`` with a one-item ``versions`` list; a single
    ``version`` object (as Nova writes it) is read too.
    """
    version = document.get('version')
    if isinstance(version, dict):
        return version.get('version')
    for version in document.get('versions') or ():
        if str(version.get('id', '')).startswith('v3'):
            return version.get('version')
    return None


def _timestamp(value):
    """A ``datetime`` as ISO 8601; a string is taken as already written so."""
    return value.isoformat() if hasattr(value, 'isoformat') else value


def _projects(filters, all_projects):
    if all_projects:
        filters['all_tenants'] = True
    return filters


def _failed(status, wanted, failures):
    """Whether ``status`` is one from which ``wanted`` cannot be reached."""
    if failures is None:
        return status.startswith('error') and status != wanted
    return status in {f.lower() for f in failures}


class BlockStorageProxy(proxy.MicroversionProxy):
    service_type = 'block-storage'
    max_microversion = '3.65'  # see the module's docstring
    microversion_service = 'volume'

    # --- microversions --------------------------------------------------------------

    def _version_document_url(self):
        return version_url(self.base_url())

    def _advertised_version(self, document):
        return advertised_version(document)

    # --- shared shapes ----------------------------------------------------------------

    def _action(self, collection, item, body):
        """``POST /<collection>/<item>/action``; the answer's JSON, or ``None`` when empty."""
        response = self.request('POST', _path(collection, item, 'action'), json=body)
        return Resource(response.json()) if response.content else None

    def _find_in(self, collection, key, name_or_id, ignore_missing, list_path, **filters):
        """The one resource whose id, else whose exact name, is ``name_or_id``.

        ``GET /<collection>/<value>`` first; when refused (404, or 400: the
        value is a name), the exact name matches of ``list_path`` with ``filters``.
        """
        try:
            return self._get(_path(collection, name_or_id), key)
        except (exceptions.NotFound, exceptions.BadRequest):
            pass
        matches = [item for item in self._list(list_path, f'{key}s', **filters)
                   if item.get('name') == name_or_id]
        return proxy.single_match(matches, key.replace('_', ' '), name_or_id, ignore_missing)

    def _get_metadata(self, collection, item):
        return Resource(self._json('GET', _path(collection, item, 'metadata'))['metadata'])

    def _set_metadata(self, collection, item, metadata):
        """Add or change keys (``POST``: the others stay); returns the whole metadata."""
        return Resource(self._json('POST', _path(collection, item, 'metadata'),
                                   json={'metadata': metadata})['metadata'])

    def _delete_metadata(self, collection, item, keys):
        if keys is None:
            keys = list(self._get_metadata(collection, item))
        for key in keys:
            self.request('DELETE', _path(collection, item, 'metadata', key))

    # --- volumes --------------------------------------------------------------------

    def volumes(self, details=True, *, all_projects=False, **filters):
        """Volumes of the caller's project (every project's with ``all_projects``, admin)."""
        return self._list('/volumes/detail' if details else '/volumes', 'volumes',
                          **_projects(filters, all_projects))

    def get_volume(self, volume):
        return self._get(_path('volumes', volume), 'volume')

    def find_volume(self, name_or_id, *, ignore_missing=False, all_projects=False, **filters):
        """The volume whose id, else whose exact name, is ``name_or_id``
        (``GET /volumes/<value>``, then ``GET /volumes/detail?name=<value>``).

        :raises NotFound: none matches (unless ``ignore_missing``: ``None``).
        :raises DuplicateResource: more than one volume has that name.
        """
        return self._find_in('volumes', 'volume', name_or_id, ignore_missing,
                             '/volumes/detail', name=name_or_id,
                             **_projects(filters, all_projects))

    def create_volume(self, size=None, *, name=None, description=None, volume_type=None,
                      availability_zone=None, snapshot_id=None, source_volid=None,
                      image_id=None, metadata=None, multiattach=None, **attrs):
        """Ask for a volume (it starts ``creating``; see ``wait_for_status``).

        :param size: in GiB; may be left out when the volume is made from a
            snapshot or another volume (it then has their size).
        :param volume_type: the type's name or id (the default type without).
        :param snapshot_id: a snapshot (id or snapshot) to copy.
        :param source_volid: a volume (id or volume) to clone.
        :param image_id: an image (id or image) to write on it: ``imageRef``.
        :param attrs: other fields of the API's ``volume`` object
            (``backup_id``, ``consistencygroup_id``); ``None`` values are left out.
        """
        attrs.update(size=size, name=name, description=description,
                     volume_type=resource_id(volume_type), availability_zone=availability_zone,
                     snapshot_id=resource_id(snapshot_id),
                     source_volid=resource_id(source_volid), imageRef=resource_id(image_id),
                     metadata=metadata, multiattach=multiattach)
        return self._create('/volumes', 'volume', attrs)

    def update_volume(self, volume, **attrs):
        """Change ``name``, ``description`` or ``metadata`` (which is then replaced)."""
        return self._update(_path('volumes', volume), 'volume', attrs, method='PUT')

    def delete_volume(self, volume, *, ignore_missing=True, cascade=False, force=False):
        """Delete a volume (it goes ``deleting``; see ``wait_for_delete``).

        :param cascade: delete its snapshots too (else a volume with
            snapshots is refused).
        :param force: delete whatever its status (admin).
        """
        params = {name: True for name, value in (('cascade', cascade), ('force', force))
                  if value}
        try:
            self.request('DELETE', _path('volumes', volume), params=params or None)
        except exceptions.NotFound:
            if not ignore_missing:
                raise

    def extend_volume(self, volume, size):
        """Grow the volume to ``size`` GiB (it goes ``extending``, then back ``available``)."""
        self._action('volumes', volume, {'os-extend': {'new_size': size}})

    def set_volume_bootable_status(self, volume, bootable):
        self._action('volumes', volume, {'os-set_bootable': {'bootable': bool(bootable)}})

    def set_volume_readonly(self, volume, readonly=True):
        """Attach the volume read-only from now on (or read-write with ``False``)."""
        self._action('volumes', volume, {'os-update_readonly_flag': {'readonly': readonly}})

    def reset_volume_status(self, volume, status=None, *, attach_status=None,
                            migration_status=None):
        """Overwrite the recorded statuses without touching the storage (admin)."""
        body = {k: v for k, v in (('status', status), ('attach_status', attach_status),
                                  ('migration_status', migration_status)) if v is not None}
        self._action('volumes', volume, {'os-reset_status': body})

    def upload_volume_to_image(self, volume, image_name, *, force=False, disk_format=None,
                               container_format=None, visibility=None, protected=None):
        """Copy the volume into a new image of the image service.

        :param force: upload an ``in-use`` volume too.
        :param disk_format: ``raw`` (the API's default), ``qcow2`` …
        :returns: the API's answer: ``image_id``, ``image_name``, ``status`` …
            The volume is ``uploading`` until the image is ``active``.
        """
        body = {'image_name': image_name, 'force': force, 'disk_format': disk_format,
                'container_format': container_format, 'visibility': visibility,
                'protected': protected}
        answer = self._action('volumes', volume, {'os-volume_upload_image': {
            k: v for k, v in body.items() if v is not None}})
        return answer['os-volume_upload_image']

    def get_volume_metadata(self, volume):
        return self._get_metadata('volumes', volume)

    def set_volume_metadata(self, volume, /, **metadata):
        """Add or change metadata keys; the others stay.  Returns the whole metadata."""
        return self._set_metadata('volumes', volume, metadata)

    def delete_volume_metadata(self, volume, keys=None):
        """Remove ``keys`` (every key when ``None``) from the volume's metadata.

        :raises NotFound: one of ``keys`` is not there.
        """
        self._delete_metadata('volumes', volume, keys)

    # --- waiting --------------------------------------------------------------------

    def _read(self, kind, resource):
        if kind not in _WAITABLE:
            raise ValueError(f'Cannot wait for a {kind!r}; kinds: {", ".join(_WAITABLE)}.')
        return self._get(_path(_WAITABLE[kind], resource), kind)

    def wait_for_status(self, resource, status='available', failures=None, interval=2.0,
                        wait=120.0, *, kind='volume'):
        """Poll a volume, snapshot or backup until its status is ``status``.

        :param kind: ``volume``, ``snapshot`` or ``backup``.
        :param failures: statuses from which ``status`` cannot be reached
            (compared case-insensitively); ``None``: every ``error…`` status.
        :param interval: seconds between two reads.
        :param wait: seconds to wait at most.
        :returns: the resource, as read when it reached ``status``.
        :raises ResourceFailed: it reached one of ``failures``.
        :raises WaitTimeout: ``wait`` seconds passed first.
        """
        wanted = status.lower()
        deadline = time.monotonic() + wait
        while True:
            current = self._read(kind, resource)
            current_status = (current.get('status') or '').lower()
            if current_status == wanted:
                return current
            if _failed(current_status, wanted, failures):
                raise ResourceFailed(f'{kind.capitalize()} {current.id} is {current_status}; '
                                     f'it will not become {wanted}.', current)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaitTimeout(f'{kind.capitalize()} {current.id} is still '
                                  f'{current_status} after {wait} s, not {wanted}.')
            time.sleep(min(interval, remaining))

    def wait_for_delete(self, resource, interval=2.0, wait=120.0, *, kind='volume'):
        """Poll a volume, snapshot or backup until it is gone (404).

        :raises ResourceFailed: it reached ``error_deleting``.
        :raises WaitTimeout: it still exists after ``wait`` seconds.
        """
        deadline = time.monotonic() + wait
        while True:
            try:
                current = self._read(kind, resource)
            except exceptions.NotFound:
                return
            current_status = (current.get('status') or '').lower()
            if current_status == 'error_deleting':
                raise ResourceFailed(f'{kind.capitalize()} {current.id} could not be '
                                     'deleted (error_deleting).', current)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaitTimeout(f'{kind.capitalize()} {current.id} still exists '
                                  f'({current_status}) after {wait} s.')
            time.sleep(min(interval, remaining))

    # --- volume types ---------------------------------------------------------------

    def types(self, **filters):
        """Volume types; ``is_public='None'`` (admin) lists private ones too."""
        return self._list('/types', 'volume_types', **filters)

    def get_type(self, volume_type):
        return self._get(_path('types', volume_type), 'volume_type')

    def get_default_type(self):
        """The type a volume created without one gets."""
        return self._get('/types/default', 'volume_type')

    def find_type(self, name_or_id, *, ignore_missing=False):
        """The type whose id, else whose name, is ``name_or_id`` (private ones included).

        Cinder has no name filter on types: the list is matched here.
        """
        return self._find_in('types', 'volume_type', name_or_id, ignore_missing, '/types',
                             is_public='None')

    def create_type(self, name, *, description=None, is_public=None, extra_specs=None):
        """Create a volume type (admin); ``is_public=False`` makes it private."""
        return self._create('/types', 'volume_type', {
            'name': name, 'description': description,
            'os-volume-type-access:is_public': is_public, 'extra_specs': extra_specs})

    def update_type(self, volume_type, **attrs):
        """Change ``name``, ``description`` or ``is_public`` (admin)."""
        return self._update(_path('types', volume_type), 'volume_type', attrs, method='PUT')

    def delete_type(self, volume_type, *, ignore_missing=True):
        self._delete(_path('types', volume_type), ignore_missing)

    def update_type_extra_specs(self, volume_type, /, **specs):
        """Add or change extra specs (``volume_backend_name=…``); returns those sent."""
        return Resource(self._json('POST', _path('types', volume_type, 'extra_specs'),
                                   json={'extra_specs': specs})['extra_specs'])

    def delete_type_extra_specs(self, volume_type, keys):
        """Remove the extra specs named in ``keys``."""
        for key in keys:
            self.request('DELETE', _path('types', volume_type, 'extra_specs', key))

    def get_type_access(self, volume_type):
        """The projects a private type is shared with (``project_id``, ``volume_type_id``)."""
        return [Resource(a) for a in self._json(
            'GET', _path('types', volume_type, 'os-volume-type-access'))['volume_type_access']]

    def add_type_access(self, volume_type, project):
        self._action('types', volume_type,
                     {'addProjectAccess': {'project': resource_id(project)}})

    def remove_type_access(self, volume_type, project):
        self._action('types', volume_type,
                     {'removeProjectAccess': {'project': resource_id(project)}})

    # --- snapshots ------------------------------------------------------------------

    def snapshots(self, details=True, *, all_projects=False, **filters):
        """Snapshots; e.g. ``volume_id=…``, ``status=…``."""
        return self._list('/snapshots/detail' if details else '/snapshots', 'snapshots',
                          **_projects(filters, all_projects))

    def get_snapshot(self, snapshot):
        return self._get(_path('snapshots', snapshot), 'snapshot')

    def find_snapshot(self, name_or_id, *, ignore_missing=False, all_projects=False,
                      **filters):
        return self._find_in('snapshots', 'snapshot', name_or_id, ignore_missing,
                             '/snapshots/detail', name=name_or_id,
                             **_projects(filters, all_projects))

    def create_snapshot(self, volume, *, name=None, description=None, force=None,
                        metadata=None):
        """Snapshot a volume (it starts ``creating``).

        :param force: snapshot an ``in-use`` volume too (refused without
            it below microversion 3.66); left out when ``None``.
        """
        return self._create('/snapshots', 'snapshot', {
            'volume_id': resource_id(volume), 'name': name, 'description': description,
            'force': force, 'metadata': metadata})

    def update_snapshot(self, snapshot, **attrs):
        """Change ``name`` or ``description``."""
        return self._update(_path('snapshots', snapshot), 'snapshot', attrs, method='PUT')

    def delete_snapshot(self, snapshot, *, ignore_missing=True):
        self._delete(_path('snapshots', snapshot), ignore_missing)

    def get_snapshot_metadata(self, snapshot):
        return self._get_metadata('snapshots', snapshot)

    def set_snapshot_metadata(self, snapshot, /, **metadata):
        return self._set_metadata('snapshots', snapshot, metadata)

    def delete_snapshot_metadata(self, snapshot, keys=None):
        self._delete_metadata('snapshots', snapshot, keys)

    # --- backups --------------------------------------------------------------------

    def backups(self, details=True, *, all_projects=False, **filters):
        return self._list('/backups/detail' if details else '/backups', 'backups',
                          **_projects(filters, all_projects))

    def get_backup(self, backup):
        return self._get(_path('backups', backup), 'backup')

    def find_backup(self, name_or_id, *, ignore_missing=False, all_projects=False,
                    **filters):
        return self._find_in('backups', 'backup', name_or_id, ignore_missing,
                             '/backups/detail', name=name_or_id,
                             **_projects(filters, all_projects))

    def create_backup(self, volume, *, name=None, description=None, incremental=None,
                      force=None, snapshot_id=None, **attrs):
        """Back a volume up (it starts ``creating``; the volume is ``backing-up``).

        :param incremental: store only what changed since the last backup.
        :param force: back up an ``in-use`` volume too.
        :param snapshot_id: back up this snapshot (id or snapshot) of the volume.
        :param attrs: ``container``, ``metadata``, ``availability_zone``.
        """
        attrs.update(volume_id=resource_id(volume), name=name, description=description,
                     incremental=incremental, force=force,
                     snapshot_id=resource_id(snapshot_id))
        return self._create('/backups', 'backup', attrs)

    def delete_backup(self, backup, *, ignore_missing=True, force=False):
        """Delete a backup (``force``: whatever its status, admin)."""
        try:
            if force:
                self._action('backups', backup, {'os-force_delete': {}})
            else:
                self.request('DELETE', _path('backups', backup))
        except exceptions.NotFound:
            if not ignore_missing:
                raise

    def restore_backup(self, backup, volume_id=None, name=None):
        """Restore a backup onto a volume (id or volume), or onto a new one without.

        :returns: ``backup_id``, ``volume_id``, ``volume_name``.
        """
        body = {k: v for k, v in (('volume_id', resource_id(volume_id)), ('name', name))
                if v is not None}
        return Resource(self._json('POST', _path('backups', backup, 'restore'),
                                   json={'restore': body})['restore'])

    # --- attachments ------------------------------------------------------------------

    def attachments(self, details=True, **filters):
        """Attachments; e.g. ``volume_id=…``, ``instance_id=…``."""
        return self._list('/attachments/detail' if details else '/attachments',
                          'attachments', **filters)

    def get_attachment(self, attachment):
        return self._get(_path('attachments', attachment), 'attachment')

    def create_attachment(self, volume, instance=None, connector=None, mode=None):
        """Reserve a volume for a server (the compute service's call).

        Without ``connector`` the attachment is only a reservation
        (``reserved``); ``update_attachment`` then gives the connector, and
        ``complete_attachment`` marks the volume ``in-use``.

        :param instance: the server (id or server).
        :param connector: the host's connector (``host``, ``initiator`` …).
        :param mode: ``rw`` (default) or ``ro``.
        :returns: the attachment, with ``connection_info`` when a connector was given.
        """
        return self._create('/attachments', 'attachment', {
            'volume_uuid': resource_id(volume), 'instance_uuid': resource_id(instance),
            'connector': connector, 'mode': mode})

    def update_attachment(self, attachment, connector):
        """Give the host's connector; returns the attachment with its ``connection_info``."""
        return self._update(_path('attachments', attachment), 'attachment',
                            {'connector': connector}, method='PUT')

    def complete_attachment(self, attachment):
        """Say the volume is attached on the host: it becomes ``in-use``."""
        self._action('attachments', attachment, {'os-complete': {}})

    def delete_attachment(self, attachment, *, ignore_missing=True):
        """Detach: the volume becomes ``available`` once its last attachment is gone."""
        self._delete(_path('attachments', attachment), ignore_missing)

    # --- quotas and limits -------------------------------------------------------------

    def get_quota_set(self, project, *, usage=False):
        """A project's limits; with ``usage``, each is ``{limit, in_use, reserved, allocated}``."""
        return self._get(_path('os-quota-sets', project), 'quota_set',
                         **({'usage': True} if usage else {}))

    def get_quota_set_defaults(self, project):
        return self._get(_path('os-quota-sets', project, 'defaults'), 'quota_set')

    def update_quota_set(self, project, **limits):
        """Set limits (``volumes=…``, ``gigabytes=…``, ``snapshots=…``, ``backups=…``;
        -1: none) of a project (admin)."""
        return self._update(_path('os-quota-sets', project), 'quota_set', limits,
                            method='PUT')

    def revert_quota_set(self, project):
        """Put a project's limits back to the defaults (admin)."""
        self.request('DELETE', _path('os-quota-sets', project))

    def get_limits(self):
        """The caller's ``absolute`` limits and what it uses of them (``rate`` is empty)."""
        return self._get('/limits', 'limits')

    # --- administration -----------------------------------------------------------------

    def availability_zones(self):
        """Zones (``zoneName``, ``zoneState.available``)."""
        return [Resource(z) for z in
                self._json('GET', '/os-availability-zone')['availabilityZoneInfo']]

    def services(self, **filters):
        """Conductors and agents (``host``, ``binary`` filters) with ``state`` up/down (admin)."""
        return self._list('/os-services', 'services', **filters)

    def _service_action(self, action, service, **extra):
        body = {'host': service['host'], 'binary': service['binary'], **extra}
        return Resource(self._json('PUT', f'/os-services/{action}', json=body))

    def enable_service(self, service):
        """Let the scheduler use a service again; ``service`` needs ``host`` and ``binary``.

        :returns: ``host``, ``binary``, ``status``, ``disabled`` …
        """
        return self._service_action('enable', service)

    def disable_service(self, service, *, reason=None):
        """Keep the scheduler off a service (``host`` and ``binary``), saying why if given."""
        if reason is None:
            return self._service_action('disable', service)
        return self._service_action('disable-log-reason', service, disabled_reason=reason)

    # --- snapshot policies (a Stratus extension) ------------------------------------------

    def snapshot_policies(self, volume=None, **filters):
        """Recurring snapshot policies, those of one volume (id or volume) if given."""
        return self._list('/snapshot-policies', 'snapshot_policies',
                          volume_id=resource_id(volume), **filters)

    def get_snapshot_policy(self, policy):
        return self._get(_path('snapshot-policies', policy), 'snapshot_policy')

    def create_snapshot_policy(self, volume, *, interval_type, schedule, max_snaps,
                               timezone=None, enabled=None):
        """Snapshot a volume on a schedule, keeping the newest ``max_snaps`` snapshots
        (CloudStack's recurring snapshots).

        ``POST /snapshot-policies {"snapshot_policy": {"volume_id",
        "interval_type", "schedule", "timezone", "max_snaps", "enabled"}}``
        answers ``{"snapshot_policy": {"id", …}}``.

        :param interval_type: ``hourly``, ``daily``, ``weekly`` or ``monthly``.
        :param schedule: when in the interval, local time, as CloudStack
            writes it: ``MM`` (hourly), ``MM:HH`` (daily), ``MM:HH:D`` with D
            1-7 for Sunday..Saturday (weekly), ``MM:HH:DD`` with DD 1-31, a
            shorter month's last day standing in (monthly).  See
            ``volume.snapshot_schedules`` for the rules the service applies.
        :param max_snaps: how many of the policy's snapshots to keep; the
            oldest is deleted when a new one would exceed it.
        :param timezone: an IANA name (``Europe/Paris``) the schedule is read
            in; the service's default (UTC) without.
        :param enabled: ``False`` creates the policy paused.
        """
        return self._create('/snapshot-policies', 'snapshot_policy', {
            'volume_id': resource_id(volume), 'interval_type': interval_type,
            'schedule': schedule, 'timezone': timezone, 'max_snaps': max_snaps,
            'enabled': enabled})

    def update_snapshot_policy(self, policy, **attrs):
        """Change ``schedule``, ``timezone``, ``max_snaps`` or ``enabled`` (``PUT``);
        ``volume_id`` and ``interval_type`` stay (delete and create another)."""
        return self._update(_path('snapshot-policies', policy), 'snapshot_policy', attrs,
                            method='PUT')

    def delete_snapshot_policy(self, policy, *, ignore_missing=True):
        """Stop the schedule; the snapshots it took stay."""
        self._delete(_path('snapshot-policies', policy), ignore_missing)

    # --- usage (a Stratus extension) --------------------------------------------------

    def get_usage(self, project, start, end):
        """What a project's volumes and snapshots occupied between ``start`` and ``end``.

        ``GET /os-usage/{project_id}?start=<ISO 8601>&end=<ISO 8601>``
        answers ``{"usage": {"project_id", "start", "end", "volume_gb_hours",
        "snapshot_gb_hours"}}``: each volume's and snapshot's size in GiB
        times the hours it existed within the period, summed (a number, not
        rounded).  A project member may read its own project's usage; an
        admin any project's.

        :param start: a ``datetime`` (naive ones are UTC) or an ISO 8601 string.
        :param end: likewise; after ``start``.
        """
        return self._get(_path('os-usage', project), 'usage', start=_timestamp(start),
                         end=_timestamp(end))
