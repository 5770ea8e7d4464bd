"""Volume, attachment, snapshot and backup states, in Cinder's vocabulary.

Clients compare these strings (``openstack volume create --wait`` waits for
``available``), so they are Cinder's exactly.  Every change of a volume's
``status`` is a conditional UPDATE on the statuses it expects
(``volume.db.api.transition``): two racing requests cannot both win.

Transitions the API starts (the conductor finishes them):

* create: (new row) ``creating`` → ``available`` | ``error``
* delete: ``DELETABLE`` (any with ``force``) → ``deleting`` → gone | ``error_deleting``
* extend: ``available`` (``in-use`` from 3.42) → ``extending`` → back | ``error_extending``
"""

# Volume status.
CREATING = 'creating'
AVAILABLE = 'available'
RESERVED = 'reserved'
ATTACHING = 'attaching'
IN_USE = 'in-use'
DETACHING = 'detaching'
DELETING = 'deleting'
DELETED = 'deleted'
ERROR = 'error'
ERROR_DELETING = 'error_deleting'
ERROR_EXTENDING = 'error_extending'
EXTENDING = 'extending'
BACKING_UP = 'backing-up'
RESTORING_BACKUP = 'restoring-backup'
ERROR_RESTORING = 'error_restoring'
DOWNLOADING = 'downloading'
UPLOADING = 'uploading'
RETYPING = 'retyping'
MAINTENANCE = 'maintenance'
ERROR_MANAGING = 'error_managing'
ERROR_BACKING_UP = 'error_backing-up'

# Every status os-reset_status accepts (Cinder's VolumeStatus.ALL, less
# ``managing`` and ``awaiting-transfer``, which Stratus never uses).  ``deleted``
# is the status of a deleted volume's row, never shown and never set by hand.
ALL = (CREATING, AVAILABLE, DELETING, ERROR, ERROR_DELETING, ERROR_MANAGING, ATTACHING,
       IN_USE, DETACHING, MAINTENANCE, RESTORING_BACKUP, ERROR_RESTORING, RESERVED,
       BACKING_UP, ERROR_BACKING_UP, ERROR_EXTENDING, DOWNLOADING, UPLOADING, RETYPING,
       EXTENDING)
# os-reset_status may not put a volume in these: the conductor would never finish them.
NOT_RESETTABLE = (DELETING, ERROR_DELETING, DETACHING)

# A volume may be deleted (without force) only from these (Cinder's list).
DELETABLE = (AVAILABLE, ERROR, ERROR_RESTORING, ERROR_EXTENDING, ERROR_MANAGING)
# A volume may be the source of a new volume in these.
CLONABLE = (AVAILABLE, IN_USE)

# attach_status
ATTACHED = 'attached'
DETACHED = 'detached'
ATTACH_STATUSES = (ATTACHED, DETACHED)

# migration_status values os-reset_status accepts ('none' clears it).
MIGRATION_STATUSES = ('migrating', 'error', 'success', 'completing', 'none', 'starting')

# Attachment attach_status and attach_mode.
ATTACHMENT_RESERVED = 'reserved'
ATTACHMENT_ATTACHING = 'attaching'
ATTACHMENT_ATTACHED = ATTACHED
ATTACHMENT_DETACHING = 'detaching'
ATTACHMENT_DETACHED = DETACHED
ATTACH_MODES = ('rw', 'ro')

# Snapshot status.
SNAPSHOT_CREATING = 'creating'
SNAPSHOT_AVAILABLE = 'available'
SNAPSHOT_DELETING = 'deleting'
SNAPSHOT_DELETED = 'deleted'
SNAPSHOT_ERROR = 'error'
SNAPSHOT_ERROR_DELETING = 'error_deleting'
# A snapshot in one of these may be deleted along with its volume (cascade).
SNAPSHOT_CASCADE_DELETABLE = (SNAPSHOT_AVAILABLE, SNAPSHOT_ERROR, SNAPSHOT_DELETING)

# Backup status.
BACKUP_CREATING = 'creating'
BACKUP_AVAILABLE = 'available'
BACKUP_DELETING = 'deleting'
BACKUP_DELETED = 'deleted'
BACKUP_RESTORING = 'restoring'
BACKUP_ERROR = 'error'
BACKUP_ERROR_DELETING = 'error_deleting'
