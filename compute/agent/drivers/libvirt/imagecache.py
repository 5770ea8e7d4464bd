"""Images from the image service, fetched once per host into ``_base``.

Every guest of an image shares one cached copy (its root disk is a qcow2
overlay on it), so an image crosses the network once per host, as in
Nova.  Concurrent spawns of one image wait for a single download (a lock
per image).  A download is written to a temporary file
(``InstancesPath.partial_image``, readable by root only) and renamed into
the cache only once ``fetch_image`` has verified it: the image service's
client checks the data against the image's hash as it streams in, so the
cache does not read it a second time.
Nothing removes unused images yet (Nova's image cache manager does).
"""
import contextlib
import logging
import os
import threading

from compute.agent.drivers.driver import DriverError
from compute.agent.drivers.libvirt import layout

LOG = logging.getLogger(__name__)


class ImageCache:
    """The ``_base`` directory of one host (``paths``: its ``layout.InstancesPath``)."""

    def __init__(self, paths):
        self._paths = paths
        self._locks = {}
        self._locks_guard = threading.Lock()

    def _lock(self, image_id):
        with self._locks_guard:
            return self._locks.setdefault(image_id, threading.Lock())

    def path(self, image_id):
        return os.path.join(self._paths.base_dir, layout.safe_name(image_id, 'Image id'))

    def fetch(self, image_id, fetch_image):
        """The path of image ``image_id`` in the cache, downloaded first if missing.

        :param fetch_image: ``SpawnRequest.fetch_image``.
        :raises DriverError: the download failed or its data is not the
            image's; nothing is left in the cache then.
        """
        final = self.path(image_id)
        with self._lock(image_id):
            if os.path.exists(final):
                return final
            partial = self._paths.partial_image(final)
            LOG.info('Downloading image %s into the image cache', image_id)
            try:
                with layout.create_private(partial) as stream:
                    fetch_image(image_id, stream)
                os.replace(partial, final)
            except DriverError:
                raise
            except Exception as exc:  # the image service's errors are many; all fail the spawn
                raise DriverError(f'Image {image_id} could not be downloaded: {exc}') from exc
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(partial)
        return final
