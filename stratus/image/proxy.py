"""``conn.image``: the Glance v2 API as ``image/api/`` implements it.

The catalog lists the image service unversioned (``http://host:9292``),
as Glance's does, so every path here starts with ``/v2``.  Glance answers
with bare objects (``{"id": …}``, not ``{"image": {…}}``), hence the
proxy's own ``get_image``/``find_image`` rather than the base helpers.

Arguments named ``image`` take an id or an image; ``member_id`` a project
id or a project.  ``images`` is a generator that follows Glance's ``next``
links; its keyword arguments are the API's filters (``name``, ``status``,
``visibility``, ``tag``, ``limit`` as the page size …).  Data is streamed
both ways (``stratus.image.transfer``) and downloads are verified.
"""
import contextlib
import time

import requests

from stratus import exceptions, proxy
from stratus.image import transfer
from stratus.image.exceptions import ImageFailed, WaitTimeout
from stratus.proxy import quote, resource_id
from stratus.resource import Resource

PATCH_MEDIA_TYPE = 'application/openstack-images-v2.1-json-patch'
_OCTET_STREAM = {'Content-Type': 'application/octet-stream'}


def _path(*parts):
    return '/v2' + ''.join(f'/{quote(resource_id(part))}' for part in parts)


def _pointer(name):
    """The JSON Pointer (RFC 6901) of the top-level attribute ``name``."""
    return '/' + name.replace('~', '~0').replace('/', '~1')


def patch_operations(image, changes=None, removals=()):
    """The RFC 6902 JSON Patch that applies ``changes`` to ``image`` and drops ``removals``.

    An attribute the image has is ``replace``d, any other is ``add``ed
    (Glance refuses to replace a property that does not exist).

    :param image: the image as last read (a mapping).
    :param changes: ``{attribute: new value}``.
    :param removals: names of properties to remove.
    """
    operations = [{'op': 'replace' if name in image else 'add', 'path': _pointer(name),
                   'value': value} for name, value in (changes or {}).items()]
    operations += [{'op': 'remove', 'path': _pointer(name)} for name in removals]
    return operations


class ImageProxy(proxy.Proxy):
    service_type = 'image'

    # --- images -------------------------------------------------------------------

    def images(self, **filters):
        return self._list('/v2/images', 'images', **filters)

    def get_image(self, image):
        return Resource(self._json('GET', _path('images', image)))

    def find_image(self, name_or_id, *, ignore_missing=False):
        """The image whose id, else whose name, is ``name_or_id``.

        :raises NotFound: none matches (unless ``ignore_missing``: ``None``).
        :raises DuplicateResource: more than one image has that name.
        """
        with contextlib.suppress(exceptions.NotFound):
            return self.get_image(name_or_id)
        matches = [i for i in self.images(name=name_or_id) if i.get('name') == name_or_id]
        return proxy.single_match(matches, 'image', name_or_id, ignore_missing)

    def create_image(self, **attrs):
        """Create an image record (status ``queued``); ``None`` values are left out.

        Besides the core attributes (``name``, ``disk_format``,
        ``container_format``, ``visibility``, ``min_disk``, ``tags`` …) any
        string-valued keyword becomes a property of the image.
        """
        body = {k: v for k, v in attrs.items() if v is not None}
        return Resource(self._json('POST', '/v2/images', json=body))

    def _patch(self, image, operations):
        return Resource(self._json('PATCH', _path('images', image), json=operations,
                                   headers={'Content-Type': PATCH_MEDIA_TYPE}))

    def update_image(self, image, **changes):
        """Set attributes and properties: ``update_image(img, name='x', os_distro='ubuntu')``.

        Whether each change is an ``add`` or a ``replace`` is decided from
        ``image`` when it is an image, else from a fresh read of it.
        """
        current = image if isinstance(image, dict) else self.get_image(image)
        return self._patch(current, patch_operations(current, changes))

    def remove_image_properties(self, image, *names):
        """Remove properties; the image service refuses (409) to remove a missing one."""
        return self._patch(image, patch_operations({}, removals=names))

    def delete_image(self, image, *, ignore_missing=True):
        self._delete(_path('images', image), ignore_missing)

    def deactivate_image(self, image):
        """Take an active image out of use (admin only); its data is kept."""
        self.request('POST', _path('images', image, 'actions', 'deactivate'))

    def reactivate_image(self, image):
        self.request('POST', _path('images', image, 'actions', 'reactivate'))

    def add_tag(self, image, tag):
        self.request('PUT', _path('images', image, 'tags', tag))

    def remove_tag(self, image, tag):
        self.request('DELETE', _path('images', image, 'tags', tag))

    def wait_for_status(self, image, status, timeout, *, interval=1.0, failures=('killed',)):
        """Poll the image until its status is ``status``; returns the image then.

        :param timeout: seconds to wait at most.
        :param failures: statuses from which ``status`` cannot be reached.
        :raises ImageFailed: the image reached one of ``failures``.
        :raises WaitTimeout: ``timeout`` passed first.
        """
        deadline = time.monotonic() + timeout
        while True:
            current = self.get_image(image)
            if current.status == status:
                return current
            if current.status in failures:
                raise ImageFailed(f'Image {current.id} is {current.status}; it will not '
                                  f'become {status}.')
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaitTimeout(f'Image {current.id} is still {current.status} after '
                                  f'{timeout} s, not {status}.')
            time.sleep(min(interval, remaining))

    # --- data ---------------------------------------------------------------------

    def _send_data(self, url, source, size, progress):
        with transfer.opened_source(source) as stream:
            if size is None:
                size = transfer.remaining_size(stream)
            # A 401 must not be retried with a new token: the body is already consumed.
            self.request('PUT', url, data=transfer.request_body(stream, size, progress),
                         headers=_OCTET_STREAM, allow_reauth=False)

    def upload_image_data(self, image, source, *, size=None, progress=None):
        """Upload the data of a ``queued`` image, which becomes ``active``.

        :param source: a path, or a binary file object read from its current
            position (left open).
        :param size: bytes to send; by default the rest of a regular file,
            and for a pipe or socket everything until its end, sent with
            chunked transfer encoding.
        :param progress: ``progress(bytes_sent, total_or_None)``, called
            after each chunk.
        :raises SDKError: ``source`` ended before ``size`` bytes.
        """
        self._send_data(_path('images', image, 'file'), source, size, progress)

    def stage_image_data(self, image, source, *, size=None, progress=None):
        """Stage data for ``import_image`` (image ``queued`` → ``uploading``).

        Parameters are those of ``upload_image_data``.
        """
        self._send_data(_path('images', image, 'stage'), source, size, progress)

    def import_image(self, image, method='glance-direct'):
        """Start importing staged data; the image becomes ``active`` later (see
        ``wait_for_status``)."""
        self.request('POST', _path('images', image, 'import'),
                     json={'method': {'name': method}})

    def download_image_data(self, image, destination, *, progress=None):
        """Download an image's data to ``destination`` and verify it.

        The bytes are checked against the image's ``os_hash_value``
        (``os_hash_algo``, sha512), else its ``checksum`` (MD5), else the
        ``Content-MD5`` header.  Given a path, the data only appears under
        that name once complete and verified.

        :param destination: a path, or a binary file object (left open).
        :param progress: ``progress(bytes_received, total_or_None)``.
        :returns: the image, as read before the download.
        :raises ChecksumMismatch: the data is not what was uploaded.
        :raises SDKError: the image has no data.
        """
        current = self.get_image(image)
        response = self.request('GET', _path('images', current.id, 'file'), stream=True)
        with contextlib.closing(response):
            if response.status_code == 204:
                raise exceptions.SDKError(f'Image {current.id} has no data (it is '
                                          f'{current.status}).')
            try:
                transfer.save(response, destination, current, progress)
            except requests.RequestException as exc:
                raise exceptions.SDKError(f'The download of image {current.id} failed: '
                                          f'{exc}') from exc
        return current

    # --- members: sharing with other projects ----------------------------------------

    def members(self, image):
        """The projects ``image`` is shared with (a member sees only itself)."""
        return self._list(_path('images', image, 'members'), 'members')

    def add_member(self, image, member_id):
        """Share a ``shared`` image with a project; the member starts ``pending``."""
        return Resource(self._json('POST', _path('images', image, 'members'),
                                   json={'member': resource_id(member_id)}))

    def get_member(self, image, member_id):
        return Resource(self._json('GET', _path('images', image, 'members', member_id)))

    def update_member(self, image, member_id, status):
        """The member project accepts (``accepted``), rejects or resets (``pending``) a share."""
        return Resource(self._json('PUT', _path('images', image, 'members', member_id),
                                   json={'status': status}))

    def remove_member(self, image, member_id, *, ignore_missing=True):
        self._delete(_path('images', image, 'members', member_id), ignore_missing)

    # --- information ----------------------------------------------------------------

    def import_info(self):
        """The import methods the service offers (``import-methods.value``)."""
        return Resource(self._json('GET', '/v2/info/import'))

    def usage(self):
        """The current project's quota usage: ``{resource: {limit, usage}}``."""
        return Resource(self._json('GET', '/v2/info/usage')['usage'])
