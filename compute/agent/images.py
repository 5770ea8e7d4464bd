"""Snapshot data to the image service, through the SDK as the user who asked.

The agent uploads what its driver captured to the image the API created
(``queued``); the image service inspects the data before it becomes
``active``.  The call carries the user's token and the service's own
(``common.clients.user_connection``), exactly as a user's upload would.
"""
import logging

from common import clients

LOG = logging.getLogger(__name__)


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
