"""Per-project image quotas: count, stored bytes, staged bytes, concurrent uploads.

Limits come from ``[quota]``, overridden per project in ``project_quotas``
(-1 means unlimited).  Every check runs with the project's quota row
locked, so concurrent requests of one project are checked one at a time
(a transaction that also changes an image locks the image row first:
``image.db.api.lock_image``).
"""
import dataclasses

from image import exceptions
from image.db import api as db_api

RESOURCES = ('image_count_total', 'image_size_total', 'image_stage_total',
             'image_count_uploading')


@dataclasses.dataclass
class Usage:
    limits: dict
    images: int
    stored_bytes: int
    staged_bytes: int
    uploading: int

    def as_glance_usage(self):
        """The body of ``GET /v2/info/usage``."""
        used = {'image_count_total': self.images, 'image_size_total': self.stored_bytes,
                'image_stage_total': self.staged_bytes, 'image_count_uploading': self.uploading}
        return {'usage': {name: {'limit': self.limits[name], 'usage': used[name]}
                          for name in RESOURCES}}

    def remaining(self, resource, used):
        limit = self.limits[resource]
        return None if limit < 0 else limit - used

    def bytes_used(self, resource):
        """Bytes counted against ``image_size_total`` or ``image_stage_total``."""
        return self.stored_bytes if resource == 'image_size_total' else self.staged_bytes


class Quotas:

    def __init__(self, conf):
        self._conf = conf

    def _limits(self, row):
        return {name: getattr(row, name) if getattr(row, name) is not None
                else getattr(self._conf.quota, name) for name in RESOURCES}

    def usage(self, session, project_id, exclude_image_id=None):
        """Limits and usage, with the project's quota row locked."""
        row = db_api.lock_project_quota(session, project_id)
        images, stored, staged, uploading = db_api.project_usage(session, project_id,
                                                                exclude_image_id)
        return Usage(self._limits(row), images, stored, staged, uploading)

    def check_new_image(self, session, project_id):
        usage = self.usage(session, project_id)
        self._check('image_count_total', usage.limits, usage.images, 1)

    def check_new_upload(self, session, project_id):
        usage = self.usage(session, project_id)
        self._check('image_count_uploading', usage.limits, usage.uploading, 1)

    def bytes_allowed(self, session, project_id, image_id, resource='image_size_total'):
        """Bytes the image's data may take, or ``None`` for no quota limit."""
        usage = self.usage(session, project_id, exclude_image_id=image_id)
        return usage.remaining(resource, usage.bytes_used(resource))

    def check_stored_size(self, session, project_id, image_id, size,
                          resource='image_size_total'):
        """Raise ``QuotaExceeded`` unless ``size`` bytes of the image's data (stored, or
        staged for ``image_stage_total``) fit beside the project's other images."""
        usage = self.usage(session, project_id, exclude_image_id=image_id)
        self._check(resource, usage.limits, usage.bytes_used(resource), size)

    def set_limits(self, session, project_id, limits):
        row = db_api.lock_project_quota(session, project_id)
        for name, value in limits.items():
            setattr(row, name, value)
        return self._limits(row)

    @staticmethod
    def _check(resource, limits, used, adding):
        limit = limits[resource]
        if limit >= 0 and used + adding > limit:
            raise exceptions.QuotaExceeded(resource=resource, limit=limit, used=used)
