"""Server states, in Nova's vocabulary, and the status clients see.

A server has three states: ``vm_state`` (what it is: active, stopped …),
``task_state`` (what is being done to it, or ``None``) and ``power_state``
(what the hypervisor last said).  The API's ``status`` is derived from the
first two exactly as Nova derives it, because clients compare it.

Every change of ``vm_state``/``task_state`` is a conditional UPDATE on the
states it expects (``compute.db.api.transition``); an action starts only
when no other task is running on the server, so two racing actions cannot
both proceed.
"""

# vm_state
ACTIVE = 'active'
BUILDING = 'building'
PAUSED = 'paused'
SUSPENDED = 'suspended'
STOPPED = 'stopped'
RESIZED = 'resized'
ERROR = 'error'
DELETED = 'deleted'
SOFT_DELETED = 'soft-delete'
RESCUED = 'rescued'
SHELVED = 'shelved'
SHELVED_OFFLOADED = 'shelved_offloaded'

# task_state
SCHEDULING = 'scheduling'
BLOCK_DEVICE_MAPPING = 'block_device_mapping'
NETWORKING = 'networking'
SPAWNING = 'spawning'
IMAGE_SNAPSHOT = 'image_snapshot'
IMAGE_PENDING_UPLOAD = 'image_pending_upload'
IMAGE_UPLOADING = 'image_uploading'
POWERING_OFF = 'powering-off'
POWERING_ON = 'powering-on'
REBOOTING = 'rebooting'
REBOOT_PENDING = 'reboot_pending'
REBOOT_STARTED = 'reboot_started'
REBOOTING_HARD = 'rebooting_hard'
REBOOT_PENDING_HARD = 'reboot_pending_hard'
REBOOT_STARTED_HARD = 'reboot_started_hard'
PAUSING = 'pausing'
UNPAUSING = 'unpausing'
SUSPENDING = 'suspending'
RESUMING = 'resuming'
REBUILDING = 'rebuilding'
REBUILD_SPAWNING = 'rebuild_spawning'
RESIZE_PREP = 'resize_prep'
RESIZE_MIGRATING = 'resize_migrating'
RESIZE_MIGRATED = 'resize_migrated'
RESIZE_FINISH = 'resize_finish'
RESIZE_REVERTING = 'resize_reverting'
RESIZE_CONFIRMING = 'resize_confirming'
MIGRATING = 'migrating'
DELETING = 'deleting'
UPDATING_PASSWORD = 'updating_password'

# power_state (libvirt's numbering, as Nova reports it)
NOSTATE = 0
RUNNING = 1
PAUSED_POWER = 3
SHUTDOWN = 4
CRASHED = 6
SUSPENDED_POWER = 7

# vif_state of a server's port (``instance_ports``): whether the network service
# has wired it on the server's host (``compute.conductor.vif_plugging``).
VIF_WAITING = 'waiting'
VIF_PLUGGED = 'plugged'
VIF_FAILED = 'failed'

POWER_STATE_NAMES = {NOSTATE: 'pending', RUNNING: 'running', PAUSED_POWER: 'paused',
                     SHUTDOWN: 'shutdown', CRASHED: 'crashed',
                     SUSPENDED_POWER: 'suspended'}

_REBOOT = {REBOOTING: 'REBOOT', REBOOT_PENDING: 'REBOOT', REBOOT_STARTED: 'REBOOT',
           REBOOTING_HARD: 'HARD_REBOOT', REBOOT_PENDING_HARD: 'HARD_REBOOT',
           REBOOT_STARTED_HARD: 'HARD_REBOOT'}
_RESIZE = {RESIZE_PREP: 'RESIZE', RESIZE_MIGRATING: 'RESIZE', RESIZE_MIGRATED: 'RESIZE',
           RESIZE_FINISH: 'RESIZE'}
_REBUILD = {REBUILDING: 'REBUILD', REBUILD_SPAWNING: 'REBUILD'}

# vm_state -> {task_state: status}, with the key ``None`` as the default.
_STATUS = {
    ACTIVE: {None: 'ACTIVE', **_REBOOT, **_RESIZE, **_REBUILD,
             UPDATING_PASSWORD: 'PASSWORD', MIGRATING: 'MIGRATING'},
    BUILDING: {None: 'BUILD'},
    STOPPED: {None: 'SHUTOFF', **_RESIZE, **_REBUILD},
    RESIZED: {None: 'VERIFY_RESIZE', RESIZE_REVERTING: 'REVERT_RESIZE'},
    PAUSED: {None: 'PAUSED', MIGRATING: 'MIGRATING'},
    SUSPENDED: {None: 'SUSPENDED'},
    RESCUED: {None: 'RESCUE'},
    ERROR: {None: 'ERROR', **_REBUILD},
    DELETED: {None: 'DELETED'},
    SOFT_DELETED: {None: 'SOFT_DELETED'},
    SHELVED: {None: 'SHELVED'},
    SHELVED_OFFLOADED: {None: 'SHELVED_OFFLOADED'},
}

# status -> the vm_states it covers (for the ``status`` list filter)
STATUS_TO_VM_STATES = {}
for _vm_state, _by_task in _STATUS.items():
    STATUS_TO_VM_STATES.setdefault(_by_task[None], set()).add(_vm_state)


def status(vm_state, task_state):
    """The API status of a server in ``vm_state`` doing ``task_state``."""
    by_task = _STATUS.get(vm_state)
    if by_task is None:
        return 'UNKNOWN'
    return by_task.get(task_state, by_task[None])


def states_for_statuses(statuses):
    """Which (vm_state, task_state) pairs show one of ``statuses``.

    :returns: ``{vm_state: (shown_without_task, tasks_shown, tasks_not_shown)}``:
        a server in ``vm_state`` shows a wanted status when its task is in
        ``tasks_shown``, or when ``shown_without_task`` and its task is not
        one of ``tasks_not_shown`` (tasks with a status of their own).
    """
    wanted = {s.upper() for s in statuses}
    result = {}
    for vm_state, by_task in _STATUS.items():
        tasks = {t for t in by_task if t is not None}
        shown = {t for t in tasks if by_task[t] in wanted}
        default = by_task[None] in wanted
        if default or shown:
            result[vm_state] = (default, shown, tasks - shown)
    return result
