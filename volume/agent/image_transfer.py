"""Image data between the volume agent and the image service, as the user who asked.

A volume from an image: the agent downloads the image's data into
``[backend] image_conversion_dir`` and hands it to the driver's
``copy_image_to_volume``, which inspects it (format, backing files, virtual
size) before qemu-img converts it to the volume's format.  A volume into
an image (os-volume_upload_image): the driver's ``copy_volume_to_image``
writes the volume there in the image's ``disk_format``, and the agent
uploads it into the queued image the API created; on any failure the
image is deleted, so that no image stays ``queued`` for ever.

Every call is made through the image service's public API with the
user's token and the agent's own service token
(``common.clients.user_connection``, ``[service_user]`` options), as
compute's agent fetches boot images: the agent holds no database
credentials, and can read only images the user may read.  The scratch
files have the driver's ``.part`` names, so an agent that stopped in the
middle removes them when it starts again.
"""
import contextlib
import logging
import os

from keystoneauth1 import exceptions as ks_exc

from common import clients
from stratus import exceptions as sdk_exceptions
from volume.agent import opts
from volume.agent.drivers import driver as base
from volume.agent.drivers import layout

LOG = logging.getLogger(__name__)
# Cinder's accepted container formats of an image to make a volume from.
CONTAINER_FORMATS = ('bare', None)


class ImageTransfer:

    def __init__(self, conf, driver):
        """:param driver: the backend's ``VolumeDriver``."""
        backend = conf[opts.BACKEND_GROUP]
        self._conf = conf
        self._driver = driver
        self._layout = layout.Layout(backend.volumes_dir, backend.backup_dir,
                                     backend.image_conversion_dir, conf.host)

    def _connection(self, ctx):
        return clients.user_connection(self._conf, ctx)

    @contextlib.contextmanager
    def _scratch(self, image_id):
        """A ``.part`` path in the conversion directory for the image's data, removed on exit."""
        name = 'image-' + layout.checked_id(image_id, 'image')
        os.makedirs(self._layout.conversion_dir, mode=0o700, exist_ok=True)
        with self._layout.temporary(os.path.join(self._layout.conversion_dir, name)) as path:
            yield path

    def copy_image_to_volume(self, ctx, volume, image):
        """Create ``volume`` from the ``rpcapi.SourceImage`` ``image``.

        :returns: the driver's ``ModelUpdate``.
        :raises DriverError: the image could not be downloaded (or its data
            did not match its checksum).
        :raises ImageUnacceptable: its container or disk format, or its data,
            is refused.
        :raises VolumeTooSmall: its virtual size exceeds the volume.
        """
        with self._scratch(image['id']) as path:
            try:
                with open(path, 'wb') as stream:
                    current = self._connection(ctx).image.download_image_data(image['id'],
                                                                              stream)
            except (sdk_exceptions.SDKError, ks_exc.ClientException) as exc:
                raise base.DriverError(f'Image {image["id"]} could not be downloaded: '
                                       f'{exc}') from exc
            if current.get('container_format') not in CONTAINER_FORMATS:
                raise base.ImageUnacceptable(
                    f'Image {image["id"]} has container format '
                    f'{current.get("container_format")}; only bare images become volumes.')
            if not current.get('disk_format'):
                raise base.ImageUnacceptable(f'Image {image["id"]} has no disk_format.')
            return self._driver.copy_image_to_volume(volume, path, current['disk_format'])

    def copy_volume_to_image(self, ctx, volume, image):
        """Upload ``volume`` into the queued ``rpcapi.UploadTarget`` ``image``.

        :raises DriverError: the copy or the upload failed; the image was
            deleted (best effort) before this is raised.
        """
        try:
            with self._scratch(image['id']) as path:
                self._driver.copy_volume_to_image(volume, path, image['disk_format'])
                try:
                    self._connection(ctx).image.upload_image_data(image['id'], path)
                except (sdk_exceptions.SDKError, ks_exc.ClientException) as exc:
                    raise base.DriverError(f'The upload to image {image["id"]} failed: '
                                           f'{exc}') from exc
        except Exception:
            self._delete(ctx, image['id'])
            raise
        LOG.info('Volume %s uploaded to image %s', volume['id'], image['id'])

    def _delete(self, ctx, image_id):
        try:
            self._connection(ctx).image.delete_image(image_id, ignore_missing=True)
        except Exception:  # the upload already failed; this is best effort
            LOG.exception('Could not delete image %s after a failed volume upload', image_id)
        else:
            LOG.info('Deleted image %s after a failed volume upload', image_id)
