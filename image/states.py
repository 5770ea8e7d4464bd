"""Image statuses and the transitions between them, in one place.

These are Glance's statuses, which clients compare against:

* ``queued``: created, no data yet;
* ``saving``: data is being uploaded;
* ``uploading``: data is being staged for an import;
* ``importing``: staged data is being imported;
* ``active``: data is stored, inspected and usable;
* ``killed``: an upload or import failed for good (the data was refused);
* ``deactivated``: an admin took the image out of use (data is kept);
* ``deleted``: gone (the row stays, hidden, for accounting).

Every change of status is a conditional UPDATE from an expected status
(see ``image.db.api.transition``), so two racing requests cannot both win.
"""
QUEUED = 'queued'
SAVING = 'saving'
UPLOADING = 'uploading'
IMPORTING = 'importing'
ACTIVE = 'active'
KILLED = 'killed'
DEACTIVATED = 'deactivated'
DELETED = 'deleted'

ALL = (QUEUED, SAVING, UPLOADING, IMPORTING, ACTIVE, KILLED, DEACTIVATED, DELETED)

# status -> statuses it may move to
TRANSITIONS = {
    QUEUED: {SAVING, UPLOADING, DELETED},
    SAVING: {ACTIVE, QUEUED, KILLED, DELETED},
    UPLOADING: {IMPORTING, QUEUED, DELETED},
    # -> QUEUED: only at start-up, when the staged data is gone (image.reconcile).
    IMPORTING: {ACTIVE, UPLOADING, QUEUED, KILLED, DELETED},
    ACTIVE: {DEACTIVATED, DELETED},
    DEACTIVATED: {ACTIVE, DELETED},
    KILLED: {DELETED},
    DELETED: set(),
}

# Statuses in which an image holds (or is receiving) stored data that
# counts against the project's storage quota.
HOLDING_DATA = (SAVING, IMPORTING, ACTIVE, DEACTIVATED)
