"""Errors of the image service, each in a category of ``common.exceptions``."""
from common import exceptions as exc


class ImageNotFound(exc.NotFound):
    msg_fmt = 'No image found with ID %(image_id)s.'


class MemberNotFound(exc.NotFound):
    msg_fmt = 'Project %(member_id)s is not a member of image %(image_id)s.'


class ImageDataNotFound(exc.NotFound):
    msg_fmt = 'The data of image %(image_id)s could not be found.'


class InvalidImageStatus(exc.Conflict):
    msg_fmt = 'Image %(image_id)s is %(status)s; this needs it to be %(expected)s.'


class ImageProtected(exc.Forbidden):
    msg_fmt = 'Image %(image_id)s is protected and cannot be deleted.'


class ReadOnlyProperty(exc.Forbidden):
    msg_fmt = "Attribute '%(name)s' is read-only."


class ReservedProperty(exc.Forbidden):
    msg_fmt = "Attribute '%(name)s' is reserved."


class QuotaExceeded(exc.PayloadTooLarge):
    msg_fmt = 'Quota exceeded for %(resource)s: limit %(limit)s, in use %(used)s.'


class UploadQuotaExceeded(exc.PayloadTooLarge):
    msg_fmt = ('The data is larger than the %(limit)s bytes the project may still store '
               '(quota %(resource)s).')


class ImageSizeLimitExceeded(exc.PayloadTooLarge):
    msg_fmt = 'The image is larger than the %(limit)s bytes allowed.'


class ImageRejected(exc.BadRequest):
    msg_fmt = '%(reason)s'


class UploadInterrupted(exc.BadRequest):
    msg_fmt = 'The upload was interrupted before all the data arrived.'
