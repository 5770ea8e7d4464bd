"""The one error the inspector raises for a refused image.

The image API turns it into a 400 and leaves the image ``killed``; the
reason goes to the user unchanged, so it must say what is wrong with the
data and, where it helps, what to do instead.  Problems of the server
itself (an unreadable staging file) are not rejections and stay ``OSError``.
"""
from common import exceptions


class ImageRejected(exceptions.BadRequest):
    """The uploaded data is not an image this cloud accepts.

    :param detail: what is wrong, in a phrase that completes
        "Image rejected: ..."
    """

    def __init__(self, detail):
        self.reason = f'Image rejected: {detail}'
        super().__init__(self.reason)
