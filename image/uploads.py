"""Image data: upload, staging and glance-direct import, download, reconciliation.

An upload moves ``queued → saving → active`` under an upload id, so that
only the upload that claimed the image can finish it:

1. claim: ``queued → saving`` with a new upload id (a second concurrent
   upload finds ``saving`` and gets 409);
2. stream the body into a store writer, hashing it, stopping at the size
   and quota limits;
3. inspect the written bytes (format, safety, virtual size); a refused
   image becomes ``killed``;
4. record size, checksums and location in the database (still ``saving``);
5. commit the writer (fsync, rename into place);
6. ``saving → active``.

Any failure before 4 discards the data and returns the image to ``queued``
(``killed`` when the data itself was refused).  A crash at any point is
repaired by ``reconcile`` at the next start.
"""
import logging
import threading
import uuid

from common import exceptions as common_exc
from image import exceptions
from image import inspector
from image import pipeline
from image import states
from image.db import api as db_api
from image.inspector.errors import ImageRejected as InspectionFailed

LOG = logging.getLogger(__name__)

DATA_COLUMNS_CLEARED = dict(size=None, checksum=None, os_hash_algo=None, os_hash_value=None,
                            virtual_size=None, location=None, upload_id=None)


def _require_formats(image):
    if not image.disk_format or not image.container_format:
        raise common_exc.BadRequest('Set disk_format and container_format before uploading '
                                    'or importing data.')


class DataService:

    def __init__(self, conf, db, images, quotas, store, staging):
        self._conf = conf
        self._db = db
        self._images = images
        self._quotas = quotas
        self.store = store
        self.staging = staging

    # -- claiming --------------------------------------------------------------

    def _claim(self, image_id, caller, source, target, quota_resource, need_formats=True):
        """Move the image to ``target`` under a new upload id; returns (image, id, limit).

        :param need_formats: refuse (400) an image without disk and container
            formats, which inspection needs (staging checks them at import).
        """
        upload_id = str(uuid.uuid4())
        with self._db.writer() as session:
            image = self._images.get_owned(session, image_id, caller)
            if image.status not in source:
                raise exceptions.InvalidImageStatus(image_id=image_id, status=image.status,
                                                    expected=' or '.join(source))
            if need_formats:
                _require_formats(image)
            allowed = None
            if image.owner is not None:
                self._quotas.check_new_upload(session, image.owner)
                allowed = self._quotas.bytes_allowed(session, image.owner, image.id,
                                                     quota_resource)
            if not db_api.transition(session, image.id, source, target, upload_id=upload_id):
                raise exceptions.InvalidImageStatus(image_id=image_id, status='busy',
                                                    expected=' or '.join(source))
            session.refresh(image)
        limit = self._conf.image.max_image_size
        if allowed is not None:
            limit = min(limit, max(allowed, 0))
        return image, upload_id, limit

    def _release(self, image_id, claim_id, current, target, **values):
        """Undo the claim ``claim_id`` (``current → target``) if it is still ours."""
        with self._db.writer() as session:
            db_api.transition(session, image_id, [current], target,
                              expected_upload_id=claim_id, **values)

    # -- receiving -------------------------------------------------------------

    def _copy(self, read, store, image_id, limit, quota_resource):
        """Stream ``read`` into a new writer of ``store``; returns ``(writer, result)``.

        :param quota_resource: the quota that set ``limit`` when it is below
            ``max_image_size`` (named in the 413), or ``None`` when none applies.
        :raises: anything ``begin_write`` or the copy raises, with nothing left
            in the store: the writer is aborted on any failure.
        """
        writer = store.begin_write(image_id)
        try:
            result = pipeline.copy_into(read, writer, chunk_size=self._conf.image.chunk_size,
                                        limit=limit)
        except pipeline.LimitExceeded as exc:
            writer.abort()
            if quota_resource and exc.limit < self._conf.image.max_image_size:
                raise exceptions.UploadQuotaExceeded(resource=quota_resource,
                                                     limit=exc.limit) from None
            raise exceptions.ImageSizeLimitExceeded(limit=exc.limit) from None
        except BaseException:
            writer.abort()
            raise
        return writer, result

    def _receive(self, read, image, limit, quota_resource):
        """Copy into the store and inspect; returns ``(writer, result, inspection)``.

        The writer is aborted on any failure.
        """
        writer, result = self._copy(read, self.store, image.id, limit, quota_resource)
        try:
            if result.size == 0:
                # Glance keeps empty images (placeholders carrying properties):
                # with no bytes there is nothing to inspect, nor to attack with.
                inspection = inspector.Inspection(format=image.disk_format, virtual_size=0)
            else:
                inspection = inspector.inspect_file(writer.local_path, image.disk_format)
        except BaseException:
            writer.abort()
            raise
        return writer, result, inspection

    def _finish(self, image, upload_id, writer, result, inspection, status):
        """Record the data (4), commit it (5) and activate the image (6)."""
        try:
            with self._db.writer() as session:
                db_api.lock_image(session, image.id)  # before the quota row, as everywhere
                if image.owner is not None:
                    self._quotas.check_stored_size(session, image.owner, image.id, result.size)
                recorded = db_api.update_during_upload(
                    session, image.id, status, upload_id, size=result.size,
                    checksum=result.checksum, os_hash_algo=pipeline.HASH_ALGO,
                    os_hash_value=result.os_hash_value, virtual_size=inspection.virtual_size,
                    location=writer.location)
            if not recorded:
                raise exceptions.InvalidImageStatus(image_id=image.id, status='changed',
                                                    expected=status)
            writer.commit()
        except BaseException:
            writer.abort()
            raise
        with self._db.writer() as session:
            if db_api.transition(session, image.id, [status], states.ACTIVE,
                                 expected_upload_id=upload_id, upload_id=None):
                return db_api.get_image(session, image.id)
        # Deleted while we were finishing: the data must not outlive it.
        self.store.delete(writer.location)
        raise exceptions.ImageNotFound(image_id=image.id)

    # -- upload ----------------------------------------------------------------

    def upload(self, image_id, caller, read):
        """``PUT /v2/images/{id}/file``; returns the active image."""
        image, upload_id, limit = self._claim(image_id, caller, [states.QUEUED],
                                              states.SAVING, 'image_size_total')
        try:
            writer, result, inspection = self._receive(read, image, limit, 'image_size_total')
        except InspectionFailed as exc:
            self._release(image.id, upload_id, states.SAVING, states.KILLED, upload_id=None)
            LOG.info('Upload of image %s refused: %s', image.id, exc.reason)
            raise exceptions.ImageRejected(reason=exc.reason) from None
        except BaseException:
            self._release(image.id, upload_id, states.SAVING, states.QUEUED,
                          **DATA_COLUMNS_CLEARED)
            raise
        try:
            return self._finish(image, upload_id, writer, result, inspection, states.SAVING)
        except exceptions.ImageNotFound:
            raise
        except BaseException:
            self._release(image.id, upload_id, states.SAVING, states.QUEUED,
                          **DATA_COLUMNS_CLEARED)
            raise

    # -- stage and import ------------------------------------------------------

    def stage(self, image_id, caller, read):
        """``PUT /v2/images/{id}/stage``: data into the staging area; image ``uploading``."""
        image, upload_id, limit = self._claim(image_id, caller, [states.QUEUED],
                                              states.UPLOADING, 'image_stage_total',
                                              need_formats=False)
        try:
            writer, result = self._copy(read, self.staging, image.id, limit, 'image_stage_total')
            try:
                writer.commit()
            except BaseException:
                writer.abort()
                raise
            with self._db.writer() as session:
                db_api.lock_image(session, image.id)  # before the quota row, as everywhere
                if image.owner is not None:
                    # Concurrent stages of the project each streamed against the
                    # quota left when they began: only one may take what is left.
                    self._quotas.check_stored_size(session, image.owner, image.id, result.size,
                                                   resource='image_stage_total')
                recorded = db_api.update_during_upload(session, image.id, states.UPLOADING,
                                                       upload_id, staged_size=result.size,
                                                       upload_id=None)
        except BaseException:
            # The claim is still ours, so the staged file (if committed) is ours too;
            # it goes before the claim is released and another stage may begin.
            self.staging.delete(self.staging.location_of(image.id))
            self._release(image.id, upload_id, states.UPLOADING, states.QUEUED,
                          upload_id=None, staged_size=None)
            raise
        if not recorded:
            # Deleted while staging: the staged data must not outlive it.
            self.staging.delete(writer.location)
            raise exceptions.ImageNotFound(image_id=image.id)

    def start_import(self, image_id, caller, method):
        """``POST /v2/images/{id}/import``: ``uploading → importing``, then work in a thread."""
        if method != 'glance-direct':
            raise common_exc.BadRequest(f"Import method '{method}' is not supported; "
                                        "use 'glance-direct'.")
        upload_id = str(uuid.uuid4())
        with self._db.writer() as session:
            image = self._images.get_owned(session, image_id, caller)
            _require_formats(image)
            if image.status != states.UPLOADING or image.upload_id is not None:
                raise exceptions.InvalidImageStatus(image_id=image_id, status=image.status,
                                                    expected='uploading (with staged data)')
            if not db_api.transition(session, image.id, [states.UPLOADING], states.IMPORTING,
                                     upload_id=upload_id):
                raise exceptions.InvalidImageStatus(image_id=image_id, status='busy',
                                                    expected=states.UPLOADING)
            session.refresh(image)
        thread = threading.Thread(target=self._import, args=(image, upload_id),
                                  name=f'import-{image.id}', daemon=True)
        thread.start()
        return thread

    def _import(self, image, upload_id):
        staged = self.staging.location_of(image.id)
        try:
            with self.staging.open(staged) as source:
                writer, result, inspection = self._receive(
                    source.read, image, self._conf.image.max_image_size, quota_resource=None)
            self._finish(image, upload_id, writer, result, inspection, states.IMPORTING)
            self.staging.delete(staged)
            LOG.info('Imported image %s (%s bytes)', image.id, result.size)
        except InspectionFailed as exc:
            LOG.info('Import of image %s refused: %s', image.id, exc.reason)
            self._release(image.id, upload_id, states.IMPORTING, states.KILLED, upload_id=None)
            self.staging.delete(staged)
        except Exception:
            LOG.exception('Import of image %s failed; its staged data is kept', image.id)
            self._release(image.id, upload_id, states.IMPORTING, states.UPLOADING,
                          upload_id=None)

    # -- download --------------------------------------------------------------

    def open_data(self, image_id, caller):
        """``(image, file)`` for a download; file is ``None`` when there is no data yet."""
        with self._db.reader() as session:
            image = self._images.get(session, image_id, caller)
        if image.status == states.DEACTIVATED and not caller.is_admin:
            raise common_exc.Forbidden('The image is deactivated: its data cannot be '
                                       'downloaded.')
        if image.status not in (states.ACTIVE, states.DEACTIVATED) or not image.location:
            return image, None
        try:
            return image, self.store.open(image.location)
        except FileNotFoundError:
            LOG.error('Data of image %s is missing from %s', image.id, image.location)
            raise exceptions.ImageDataNotFound(image_id=image.id) from None

    def delete_data(self, image_id, location):
        """Remove the data of a deleted image (after the deletion committed)."""
        if location:
            self.store.delete(location)
        self.staging.delete(self.staging.location_of(image_id))
