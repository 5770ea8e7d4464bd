"""``POST /v3/{project_id}/volumes/{volume_id}/action``: the volume actions.

The body names one action (``{"os-extend": {"new_size": 2}}``); ``ACTIONS``
maps each name to its body schema and handler, ``handler(volume_id,
args) -> response``.  A body naming no known action is a 400, as in
Cinder.  Members of the volume's project extend it, set its bootable and
read-only flags; cloud administrators reset its state and force-delete it.
"""
import flask

from volume import exceptions as vol_exc
from volume import lifecycle
from volume import states
from volume import volumes
from volume.api import actions
from volume.api import attach_actions
from volume.api import casts
from volume.api import microversion
from volume.api import support
from volume.api import volume_upload
from volume.api.schemas import common as schema_types
from volume.api.schemas import volume_actions as schemas
from volume.api.schemas import volume_upload as upload_schemas
from volume.api.volumes import delete_volume, volume_for

bp = flask.Blueprint('volume_actions', __name__,
                     url_prefix=f'{support.API_PREFIX}/volumes/<volume_id>/action')


def extend(volume_id, args):
    new_size = volumes.checked_size(args['new_size'])
    ctx = support.context()
    with support.db().writer() as session:
        volume = volume_for(session, volume_id, 'volumes:extend')
        attached_allowed = microversion.at_least('3.42') and volume.status == states.IN_USE
        if attached_allowed:
            support.authorize('volumes:extend_attached', project_id=volume.project_id)
        lifecycle.begin_extend(session, support.conf(), volume, new_size,
                               attached_allowed=attached_allowed)
        event = {**volumes.notification(volume), 'size': new_size}
    casts.cast_or_undo(lambda: support.conductor().extend_volume(ctx, volume_id, new_size),
                       lambda session: lifecycle.undo_extend(session, volume_id),
                       doing=f'extend volume {volume_id}', outcome='the volume was not extended')
    support.notify('volume.resize.start', event)
    return support.accepted()


def set_bootable(volume_id, args):
    with support.db().writer() as session:
        volume = volume_for(session, volume_id, 'volumes:update')
        lifecycle.set_bootable(volume, schema_types.as_bool(args['bootable']))
    return support.ok_empty()


def update_readonly_flag(volume_id, args):
    with support.db().writer() as session:
        volume = volume_for(session, volume_id, 'volumes:update_readonly_flag')
        lifecycle.set_readonly(session, volume, schema_types.as_bool(args['readonly']))
    return support.accepted()


def _checked_status(args, key, valid, label):
    value = args.get(key)
    if not value:
        return None
    if value.lower() not in valid:
        raise vol_exc.InvalidInput(reason=f'{label}: {value} is invalid, valid statuses are: '
                                          f'{", ".join(valid)}.')
    return value.lower()


def reset_status(volume_id, args):
    changes = {
        'status': _checked_status(args, 'status', states.ALL, 'Volume status'),
        'attach_status': _checked_status(args, 'attach_status', states.ATTACH_STATUSES,
                                         'Volume attach status'),
        'migration_status': _checked_status(args, 'migration_status',
                                            states.MIGRATION_STATUSES,
                                            'Volume migration status'),
    }
    if not any(changes.values()):
        raise vol_exc.InvalidInput(reason="Must specify 'status', 'attach_status' or "
                                          "'migration_status' for update.")
    with support.db().writer() as session:
        volume = volume_for(session, volume_id, 'volumes:reset_status')
        lifecycle.reset_status(session, volume, **changes)
        event = volumes.notification(volume)
    support.notify('volume.reset_status.end', event)
    return support.accepted()


def force_delete(volume_id, _args):
    return delete_volume(volume_id, cascade=False, force=True)


ACTIONS = {
    'os-extend': (schemas.extend, extend),
    'os-set_bootable': (schemas.set_bootable, set_bootable),
    'os-update_readonly_flag': (schemas.update_readonly_flag, update_readonly_flag),
    'os-reset_status': (schemas.reset_status, reset_status),
    'os-force_delete': (schemas.force_delete, force_delete),
    **attach_actions.ACTIONS,
    'os-volume_upload_image': (upload_schemas.upload_image, volume_upload.upload_image),
}


@bp.post('')
def act(volume_id):
    return actions.dispatch(ACTIONS, volume_id)
