"""The image service as the volume API sees it: the image a volume is made from, and
the image a volume is uploaded to.

The API asks the image service through its public API (Glance v2) as the
user of the request, with the SDK (ARCHITECTURE §3): an image the user
may not see cannot become their volume, and an uploaded image belongs to
the user's project with the image service's own rules and quotas.  A
volume made from an image keeps what Cinder keeps of it
(``volume_glance_metadata``, shown as ``volume_image_metadata``) and is
bootable.
"""
import logging
import math

from keystoneauth1 import exceptions as ks_exc

from common import clients
from common import exceptions
from common.config import SERVICE_USER_GROUP
from stratus import exceptions as sdk_exceptions
from volume import exceptions as vol_exc
from volume.db import models as m

LOG = logging.getLogger(__name__)
GiB = 1024 ** 3

# Glance's core attributes a volume records of its image, under Cinder's key names;
# every other key of an image is a free property, recorded as it is.
RECORDED = {'id': 'image_id', 'name': 'image_name', 'checksum': 'checksum',
            'container_format': 'container_format', 'disk_format': 'disk_format',
            'min_disk': 'min_disk', 'min_ram': 'min_ram', 'size': 'size'}
NOT_PROPERTIES = frozenset((
    'id', 'name', 'status', 'visibility', 'protected', 'os_hidden', 'owner', 'disk_format',
    'container_format', 'size', 'virtual_size', 'checksum', 'os_hash_algo', 'os_hash_value',
    'min_disk', 'min_ram', 'tags', 'created_at', 'updated_at', 'self', 'file', 'schema',
    'locations', 'direct_url', 'stores'))
# Container formats of images a volume may be made from (the agent checks again).
SOURCE_CONTAINER_FORMATS = ('bare', None)


class ImageNotFound(exceptions.BadRequest):
    """Cinder answers a create from a missing or invisible image with 400."""
    msg_fmt = ('Invalid image identifier or unable to access requested image: '
               '%(image_id)s.')


class ImageServiceUnavailable(exceptions.ServiceUnavailable):
    msg_fmt = 'The image service is unavailable: %(reason)s'


def _unavailable(exc):
    # No token for the service itself, no endpoint, no answer.
    return ImageServiceUnavailable(reason=str(exc))


class ImageClient:
    """Glance v2 calls made for the user of a request context."""

    def __init__(self, conf):
        self._conf = conf

    def _connection(self, ctx):
        if not self._conf[SERVICE_USER_GROUP].auth_type:
            # user_connection sends the service's own token too: it must have one.
            raise ImageServiceUnavailable(reason=f'[{SERVICE_USER_GROUP}] has no auth_type')
        return clients.user_connection(self._conf, ctx)

    def get(self, ctx, image_id):
        """The image ``image_id`` (a dict of Glance's image attributes).

        :raises ImageNotFound: no such image, or the user may not see it.
        :raises ImageServiceUnavailable: the image service could not answer.
        """
        try:
            return dict(self._connection(ctx).image.get_image(image_id))
        except (sdk_exceptions.NotFound, sdk_exceptions.Forbidden, sdk_exceptions.BadRequest):
            raise ImageNotFound(image_id=image_id) from None
        except (sdk_exceptions.SDKError, ks_exc.ClientException) as exc:
            raise _unavailable(exc) from None

    def create(self, ctx, attrs):
        """Create a queued image with ``attrs``; returns its attributes.

        :raises Forbidden: the image service refused (a public image by a
            non-admin, its quota).
        :raises BadRequest: it refused the attributes.
        :raises ImageServiceUnavailable: it could not answer.
        """
        try:
            return dict(self._connection(ctx).image.create_image(**attrs))
        except (sdk_exceptions.Forbidden, sdk_exceptions.PayloadTooLarge) as exc:
            raise exceptions.Forbidden(exc.message) from None
        except (sdk_exceptions.BadRequest, sdk_exceptions.Conflict) as exc:
            raise exceptions.BadRequest(exc.message) from None
        except (sdk_exceptions.SDKError, ks_exc.ClientException) as exc:
            raise _unavailable(exc) from None

    def delete(self, ctx, image_id):
        """Delete an image that will never get its data; best effort (only logged)."""
        try:
            self._connection(ctx).image.delete_image(image_id, ignore_missing=True)
        except Exception:  # best effort: the caller is already handling a failure
            LOG.exception('Could not delete image %s of a failed volume upload', image_id)


def check_source(image, size):
    """Refuse an image a volume of ``size`` GiB cannot be made from (400, as Cinder).

    :raises InvalidInput: the image is not active or not a bare disk image,
        its ``min_disk`` or its virtual size (else its size) is larger than
        the volume.
    """
    if image.get('status') != 'active':
        raise vol_exc.InvalidInput(reason=f"Image {image['id']} is not active.")
    if image.get('container_format') not in SOURCE_CONTAINER_FORMATS:
        raise vol_exc.InvalidInput(reason=f"Image container format "
                                          f"{image.get('container_format')} is not supported: "
                                          'only bare images become volumes.')
    min_disk = image.get('min_disk') or 0
    if min_disk > size:
        raise vol_exc.InvalidInput(reason=f'Volume size {size}GB cannot be smaller than the '
                                          f'image minDisk size {min_disk}GB.')
    data_size = image.get('virtual_size') or image.get('size') or 0
    needed = math.ceil(data_size / GiB)
    if needed > size:
        raise vol_exc.InvalidInput(reason=f'Size of specified image {needed}GB is larger '
                                          f'than volume size {size}GB.')


def recorded_metadata(image):
    """What a volume keeps of its image (``volume_image_metadata``), values as text."""
    recorded = {key: image.get(attr) for attr, key in RECORDED.items()}
    recorded.update({k: v for k, v in image.items() if k not in NOT_PROPERTIES})
    return {key: value if isinstance(value, str) else str(value)
            for key, value in recorded.items() if value is not None}


def record_source(session, volume, image):
    """Record on ``volume`` (not yet committed) the image it is made from; it is bootable."""
    for key, value in recorded_metadata(image).items():
        session.add(m.VolumeGlanceMetadata(volume_id=volume.id, key=key, value=value))
    volume.bootable = True
    session.flush()
