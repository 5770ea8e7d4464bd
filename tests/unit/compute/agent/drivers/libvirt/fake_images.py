"""A stand-in image service for ``SpawnRequest.fetch_image``.

It streams its data through the SDK's own ``stratus.image.transfer.save``,
the code that verifies a real download, so a checksum mismatch is refused
exactly as in production.
"""
import hashlib
import time

from stratus.image import transfer


class Response:
    """What ``transfer.save`` reads of a streamed ``requests`` response."""

    def __init__(self, data):
        self.headers = {'Content-Length': str(len(data))}
        self._data = data

    def iter_content(self, size):
        for start in range(0, len(self._data), size):
            yield self._data[start:start + size]


class ImageService:
    """Serves ``images`` (``{id: bytes}``); records have ``hashes`` (default: the sha512).

    :ivar calls: the image ids fetched, in order.
    """

    def __init__(self, images, delay=0.0, **hashes):
        self.images, self.delay, self.hashes = images, delay, hashes
        self.calls = []

    def __call__(self, image_id, stream):
        self.calls.append(image_id)
        time.sleep(self.delay)
        data = self.images[image_id]
        hashes = self.hashes or {'os_hash_algo': 'sha512',
                                 'os_hash_value': hashlib.sha512(data).hexdigest()}
        transfer.save(Response(data), stream, {'id': image_id, **hashes})
