"""The image service as compute sees it: image metadata for a boot, snapshot records.

Compute asks the image service through its public API (Glance v2) as the
user of the request, with the SDK (ARCHITECTURE §3), so an image the user
may not see cannot be booted.  Servers keep only what they need of an
image (``image_meta``): the API checks it against the flavor, the
scheduler matches its properties with hosts, the agent fetches the data.
"""
import logging

from keystoneauth1 import exceptions as ks_exc

from common import clients
from common import exceptions
from stratus import exceptions as sdk_exceptions

LOG = logging.getLogger(__name__)

# Glance's core attributes; every other key of an image is a free property.
CORE_ATTRIBUTES = frozenset((
    'id', 'name', 'status', 'visibility', 'protected', 'os_hidden', 'owner', 'disk_format',
    'container_format', 'size', 'virtual_size', 'checksum', 'os_hash_algo', 'os_hash_value',
    'min_disk', 'min_ram', 'tags', 'created_at', 'updated_at', 'self', 'file', 'schema',
    'locations', 'direct_url', 'stores'))


class ImageNotFound(exceptions.BadRequest):
    """Nova answers a boot from a missing (or invisible) image with 400."""
    msg_fmt = 'Image %(image_id)s could not be found.'


class ImageServiceUnavailable(exceptions.ServiceUnavailable):
    msg_fmt = 'The image service is unavailable: %(reason)s'


def image_meta(image):
    """What compute keeps of a Glance image: core attributes and the free properties."""
    return {'id': image['id'], 'name': image.get('name'), 'status': image.get('status'),
            'min_disk': image.get('min_disk') or 0, 'min_ram': image.get('min_ram') or 0,
            'size': image.get('size') or 0, 'disk_format': image.get('disk_format'),
            'container_format': image.get('container_format'),
            'properties': {k: v for k, v in image.items() if k not in CORE_ATTRIBUTES}}


def boot_image(images, ctx, image_id):
    """The image ``image_id`` a server boots from, as ``images.get`` gives it, once the
    user is known to read its kernel and ramdisk too.

    As Nova's ``_handle_kernel_and_ramdisk``: ``kernel_id``/``ramdisk_id``
    are properties anyone can set on their own image, and the agent loads
    them into the guest, so without this check a project could boot with
    another project's private image as its kernel or initrd.

    :param images: an ``ImageClient`` (or what has its ``get``).
    :raises ImageNotFound: the image, its kernel or its ramdisk is missing,
        not visible to the user, or (kernel, ramdisk) not active.
    """
    image = images.get(ctx, image_id)
    _check_kernel_and_ramdisk(images, ctx, image)
    return image


def volume_boot_image(images, ctx, volume):
    """The ``image_meta`` of a server booted from the existing volume ``volume`` (a
    dict as the volume service shows it): the image the volume was made from, as
    the volume recorded it (its ``volume_image_metadata``), as Nova's
    ``get_image_metadata_from_volume``; ``None`` for a volume not made from an
    image.

    The image itself may be gone since; the kernel and ramdisk it names are
    loaded into the guest, so the user must still be able to read them.

    :raises ImageNotFound: as ``boot_image`` for the kernel or ramdisk.
    """
    recorded = dict(volume.get('volume_image_metadata') or {})
    if not recorded.get('image_id'):
        return None
    image = image_meta({**recorded, 'id': recorded.pop('image_id'), 'status': 'active',
                        'name': recorded.pop('image_name', None)})
    # What Cinder adds to the record beside the image's own attributes.
    for key in ('checksum', 'image_name', 'image_id'):
        image['properties'].pop(key, None)
    _check_kernel_and_ramdisk(images, ctx, image)
    return image


def _check_kernel_and_ramdisk(images, ctx, image):
    for key in ('kernel_id', 'ramdisk_id'):
        part_id = image['properties'].get(key)
        if part_id and images.get(ctx, part_id).get('status') != 'active':
            raise ImageNotFound(image_id=part_id)


class ImageClient:
    """Glance v2 calls made for the user of a request context."""

    def __init__(self, conf):
        self._conf = conf

    def _connection(self, ctx):
        return clients.user_connection(self._conf, ctx)

    def get(self, ctx, image_id):
        """The image ``image_id`` as ``image_meta`` shapes it.

        :raises ImageNotFound: no such image, or the user may not see it.
        :raises ImageServiceUnavailable: the image service could not answer.
        """
        try:
            return image_meta(self._connection(ctx).image.get_image(image_id))
        except (sdk_exceptions.NotFound, sdk_exceptions.Forbidden, sdk_exceptions.BadRequest):
            raise ImageNotFound(image_id=image_id) from None
        except (sdk_exceptions.SDKError, ks_exc.ClientException) as exc:
            # No token for the service itself, no endpoint, no answer.
            raise ImageServiceUnavailable(reason=str(exc)) from None

    def create_snapshot(self, ctx, name, properties):
        """Create the queued image a server snapshot will upload to; returns its id.

        The image belongs to the user's project and is private, as Nova's
        snapshots are.  ``properties`` are string properties (Nova copies
        the server's image properties and adds ``instance_uuid`` …); any
        core attribute among them is ignored.

        :raises Forbidden: the image service refused (its quota, for example).
        :raises ImageServiceUnavailable: the image service could not answer.
        """
        attrs = {k: v for k, v in properties.items() if k not in CORE_ATTRIBUTES}
        attrs.update(name=name, visibility='private', disk_format='qcow2',
                     container_format='bare')
        try:
            return self._connection(ctx).image.create_image(**attrs)['id']
        except (sdk_exceptions.Forbidden, sdk_exceptions.PayloadTooLarge) as exc:
            raise exceptions.Forbidden(exc.message) from None
        except sdk_exceptions.BadRequest as exc:
            raise exceptions.BadRequest(exc.message) from None
        except (sdk_exceptions.SDKError, ks_exc.ClientException) as exc:
            # No token for the service itself, no endpoint, no answer.
            raise ImageServiceUnavailable(reason=str(exc)) from None

    def delete(self, ctx, image_id):
        """Delete a snapshot's image that will never get its data; best effort.

        Used when the snapshot failed or never started.  An image already
        gone is fine; any other failure is logged, not raised, since the
        caller is already handling a failure.
        """
        try:
            self._connection(ctx).image.delete_image(image_id, ignore_missing=True)
        except Exception:  # best effort: the caller reports its own failure
            LOG.exception('Could not delete image %s of a failed snapshot', image_id)
        else:
            LOG.info('Deleted image %s of a failed snapshot', image_id)

    def image_url(self, ctx, image_id):
        """The image's URL in the image service (createImage's ``Location`` below 2.45)."""
        try:
            endpoint = self._connection(ctx).image.base_url()
        except (sdk_exceptions.SDKError, ks_exc.ClientException) as exc:
            raise ImageServiceUnavailable(reason=str(exc)) from None
        return f"{endpoint.rstrip('/')}/v2/images/{image_id}"
