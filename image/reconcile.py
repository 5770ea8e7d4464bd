"""Repairing what a crash left behind, at the start of the image API.

It runs in the gunicorn master before any worker starts, so no upload or
import is in flight: every ``saving``, ``uploading`` or ``importing``
state, partial file and unreferenced data file is a leftover.

* ``saving`` or ``importing`` with its data recorded and in place →
  ``active`` (only the last step was missing); other ``saving`` →
  ``queued``, data fields cleared.
* ``importing`` → ``uploading`` when the staged data is still there (the
  user may import again), else ``queued``.
* ``uploading`` without staged data, or with a staged file the stage never
  recorded (its upload id is still set), is a stage that never finished →
  ``queued`` (the unrecorded staged file is removed below).
* partial files of both stores are removed; store files no live image
  with data refers to, by location or by id (a deletion whose data removal
  failed), are removed; staged files of images no longer waiting for
  import are removed.
"""
import logging

from image import states
from image.db import api as db_api
from image.uploads import DATA_COLUMNS_CLEARED

LOG = logging.getLogger(__name__)


def _repair_statuses(session, store, staging):
    for image in db_api.images_in(session, [states.SAVING, states.IMPORTING,
                                            states.UPLOADING]):
        staged = staging.exists(staging.location_of(image.id))
        if image.status in (states.SAVING, states.IMPORTING) and image.location \
                and store.exists(image.location):
            # The data was recorded and committed: only the last step was missing.
            target, values = states.ACTIVE, {'upload_id': None}
        elif image.status == states.SAVING:
            target, values = states.QUEUED, DATA_COLUMNS_CLEARED
        elif staged and image.status == states.IMPORTING:
            target, values = states.UPLOADING, {'upload_id': None}
        elif staged and image.upload_id is None:
            continue  # staged and recorded: waiting for an import
        else:
            target, values = states.QUEUED, {**DATA_COLUMNS_CLEARED, 'staged_size': None}
        previous = image.status  # the transition expires the loaded row
        db_api.transition(session, image.id, [previous], target, **values)
        LOG.warning('Image %s was %s when the service stopped; it is now %s',
                    image.id, previous, target)


def _remove_orphans(session, store, staging):
    recorded = db_api.data_locations(session)
    # Data is in use when an image records its location, or is where the store
    # keeps that image's data: a store that moved (another store_path, a
    # mount point of its own) must not see every image's data as an orphan.
    in_use = set(recorded.values()) | {store.location_of(i) for i in recorded}
    for location in list(store.locations()):
        if location not in in_use:
            LOG.warning('Removing %s: no image refers to it', location)
            store.delete(location)
    waiting = {i.id for i in db_api.images_in(session, [states.UPLOADING, states.IMPORTING])}
    for location in list(staging.locations()):
        if location.rsplit('/', 1)[-1] not in waiting:
            LOG.warning('Removing staged %s: no image is waiting to import it', location)
            staging.delete(location)


def reconcile(db, store, staging):
    with db.writer() as session:
        _repair_statuses(session, store, staging)
    removed = store.remove_partials() + staging.remove_partials()
    if removed:
        LOG.warning('Removed %d partial files of interrupted uploads', removed)
    with db.reader() as session:
        _remove_orphans(session, store, staging)
