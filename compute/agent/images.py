"""Image data between the agent and the image service, through the SDK as the user who asked.

Boot images come down (``BootImages``: the driver's image cache calls it
through ``SpawnRequest.fetch_image``) and snapshots go up
(``SnapshotImages``: to the image the API created, ``queued``; the image
service inspects the data before it becomes ``active``).  Every call
carries the user's token and the service's own
(``common.clients.user_connection``), exactly as a user's download or
upload would, so an agent can fetch only images the user may see.
"""
import logging

from common import clients

LOG = logging.getLogger(__name__)


class BootImages:

    def __init__(self, conf):
        self._conf = conf

    def fetch(self, ctx, image_id, stream):
        """Write the data of image ``image_id`` to the binary file ``stream``.

        The SDK hashes the data as it arrives and compares it with the
        image's ``os_hash_value`` (else its ``checksum``).

        :raises stratus.exceptions.SDKError: the image service refused or
            failed, or the data does not match its hash
            (``stratus.image.exceptions.ChecksumMismatch``).
        """
        clients.user_connection(self._conf, ctx).image.download_image_data(image_id, stream)


class SnapshotImages:

    def __init__(self, conf):
        self._conf = conf

    def upload(self, ctx, image_id, source):
        """Send ``source`` (a path or binary file) as the data of queued image ``image_id``."""
        clients.user_connection(self._conf, ctx).image.upload_image_data(image_id, source)

    def delete(self, ctx, image_id):
        """Remove an image whose upload failed; a failure here is only logged."""
        try:
            clients.user_connection(self._conf, ctx).image.delete_image(image_id)
        except Exception:  # the snapshot already failed; this is best effort
            LOG.exception('Could not delete image %s after a failed snapshot', image_id)
