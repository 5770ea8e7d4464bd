"""The conductor's part of the image paths: volumes from images, volumes into images.

A volume from an image: the API recorded the image in
``volume_glance_metadata`` when it stored the volume; the conductor
names it to the agent (``rpcapi.SourceImage``), which downloads it as the
user.  A volume into an image (os-volume_upload_image): the API created
the queued image and set the volume ``uploading``; the conductor casts
the copy to the volume's backend, and ends the upload when the agent
reports: the volume goes back to its ``previous_status`` whatever
happened (its data is unchanged), and the agent deleted the image if the
upload failed.  Every change is a conditional UPDATE on ``uploading``.
"""
import logging

import sqlalchemy as sa

from volume import images
from volume import states
from volume import volumes
from volume.conductor import orchestration
from volume.db import api as db_api
from volume.db import models as m

LOG = logging.getLogger(__name__)


def source_image(session, volume):
    """The ``rpcapi.SourceImage`` of a volume made from an image, or ``None`` when the
    API's record of it is missing (the create must then fail)."""
    recorded = session.execute(sa.select(m.VolumeGlanceMetadata.value).where(
        m.VolumeGlanceMetadata.volume_id == volume.id,
        m.VolumeGlanceMetadata.key == 'image_id')).scalar_one_or_none()
    if recorded != volume.image_id:
        return None
    return {'id': volume.image_id}


def end_upload(db, volume_id, error):
    """Put the volume back in the status it had before the upload.

    :returns: whether the volume was still ``uploading``.
    """
    with db.writer() as session:
        done = db_api.transition(session, volume_id, (states.UPLOADING,),
                                 status=m.Volume.previous_status, previous_status=None)
    if not done:
        LOG.info('Volume %s was no longer uploading; the end of its upload not recorded',
                 volume_id)
    elif error is None:
        LOG.info('Volume %s was uploaded to an image', volume_id)
    return done


class Uploads:
    """``ConductorAPI.upload_image``: start the copy on the volume's backend."""

    def __init__(self, conf, db, agents, image_client=None):
        """:param image_client: deletes the image when the copy cannot even start
            (default: ``volume.images.ImageClient``)."""
        self._db = db
        self._agents = agents
        self._images = image_client or images.ImageClient(conf)

    def upload_image(self, ctxt, volume_id, image):
        """See ``rpcapi.ConductorAPI.upload_image``."""
        with self._db.reader() as session:
            volume = session.get(m.Volume, volume_id)
            if volume is None or volume.deleted_at is not None \
                    or volume.status != states.UPLOADING:
                LOG.info('Volume %s is not uploading; not copying it to image %s',
                         volume_id, image['id'])
                return
            backend = volumes.backend_of(volume.host)
            payload = orchestration.driver_volume(volume)
        error = None
        if backend is None:
            error = 'the volume has no backend'
        else:
            try:
                self._agents.copy_volume_to_image(ctxt, backend, payload, image)
                return
            except Exception:
                LOG.exception('Could not ask backend %s to upload volume %s', backend,
                              volume_id)
                error = 'the backend could not be reached'
        LOG.warning('Volume %s cannot be uploaded to image %s: %s', volume_id, image['id'],
                    error)
        self._images.delete(ctxt, image['id'])
        end_upload(self._db, volume_id, error)
