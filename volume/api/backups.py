"""``/v3/{project_id}/backups``: create, list, show, delete, restore, and actions.

A create is answered 202 with the backup ``creating`` and its volume
``backing-up``; a restore 202 with the backup ``restoring`` and the volume
``restoring-backup`` (or a new volume ``creating``); a delete 202 with the
backup ``deleting``.  The conductor does the work (``ConductorAPI``), cast
once the request is committed.  A cast RabbitMQ refuses is answered 503
and undone.
"""
import flask
import sqlalchemy as sa

from common import exceptions
from volume import backups
from volume import listing
from volume.api import actions
from volume.api import casts
from volume.api import microversion
from volume.api import paging
from volume.api import support
from volume.api.schemas import backups as schemas
from volume.api.schemas import common as schema_types
from volume.api.views import backups as views
from volume.db import models as m

bp = flask.Blueprint('backups', __name__, url_prefix=f'{support.API_PREFIX}/backups')
COLLECTION = 'backups'
_B = m.Backup
LISTED = paging.Resource(
    model=_B,
    sort_columns={'id': _B.id, 'name': sa.func.coalesce(_B.name, ''), 'status': _B.status,
                  'size': _B.size, 'volume_id': _B.volume_id, 'created_at': _B.created_at,
                  'updated_at': _B.updated_at, 'project_id': _B.project_id},
    filters={'status': _B.status, 'volume_id': _B.volume_id, 'name': _B.name},
    not_found=lambda marker: backups.BackupNotFound(backup_id=marker))


def backup_for(session, backup_id, action):
    backup = backups.get(session, support.caller(), backup_id)
    support.authorize(action, project_id=backup.project_id)
    return backup


def render(session, rows):
    ids = [b.id for b in rows]
    metadata, parents = backups.metadata(session, ids), backups.dependants(session, ids)
    return [views.detail(b, support.links(COLLECTION, b.id), metadata=metadata[b.id],
                         has_dependants=b.id in parents,
                         project_attribute=support.allowed('backups:project_attribute',
                                                           project_id=b.project_id))
            for b in rows]


def _list(detailed):
    support.authorize('backups:get_all')
    with support.db().reader() as session:
        rows, limit = paging.page(session, LISTED, backups.visible(support.caller()))
        if detailed:
            items = render(session, rows)
        else:
            items = [views.summary(b, support.links(COLLECTION, b.id)) for b in rows]
    links = paging.next_links(items, limit, 'backups/detail' if detailed else 'backups')
    return flask.jsonify(paging.body(COLLECTION, items, links))


@bp.get('')
def index():
    return _list(detailed=False)


@bp.get('/detail')
def detail():
    return _list(detailed=True)


@bp.post('')
def create():
    attrs = support.body(schemas.create)['backup']
    support.authorize('backups:create')
    if attrs.get('snapshot_id'):
        raise exceptions.BadRequest('Backing up a snapshot is not supported: back up its '
                                    'volume, or create a volume from the snapshot and back '
                                    'that up.')
    if attrs.get('metadata') and not microversion.at_least('3.43'):
        raise exceptions.BadRequest('Backup metadata needs microversion 3.43 or later.')
    ctx, caller = support.context(), support.caller()
    for flag in ('incremental', 'force'):
        attrs[flag] = schema_types.as_bool(attrs.get(flag) or False)
    with support.db().writer() as session:
        backup = backups.create(session, support.conf(), caller, ctx.user_id, attrs)
        support.authorize('backups:create', project_id=backup.project_id)
        result = views.summary(backup, support.links(COLLECTION, backup.id))
        volume_id, event = backup.volume_id, backups.notification(backup)
    casts.cast_or_undo(lambda: support.conductor().create_backup(ctx, backup.id),
                       lambda session: backups.undo_create(session, backup.id, volume_id),
                       doing=f'create backup {backup.id}', outcome='the backup was put in error')
    support.notify('backup.create.start', event)
    return flask.jsonify(backup=result), 202


@bp.get('/<backup_id>')
def show(backup_id):
    with support.db().reader() as session:
        return flask.jsonify(backup=render(session, [
            backup_for(session, backup_id, 'backups:get')])[0])


def delete_backup(backup_id, *, force):
    ctx = support.context()
    with support.db().writer() as session:
        backup = backup_for(session, backup_id, 'backups:delete')
        if force:
            support.authorize('backups:force_delete', project_id=backup.project_id)
        previous = backups.begin_delete(session, backup, force=force)
        event = backups.notification(backup)
    casts.cast_or_undo(lambda: support.conductor().delete_backup(ctx, backup_id),
                       lambda session: backups.undo_delete(session, backup_id, previous),
                       doing=f'delete backup {backup_id}', outcome='the backup was not deleted')
    support.notify('backup.delete.start', event)
    return support.accepted()


@bp.delete('/<backup_id>')
def delete(backup_id):
    force = listing.parse_bool('force', flask.request.args.get('force', 'false'), strict=True)
    return delete_backup(backup_id, force=force)


@bp.post('/<backup_id>/restore')
def restore(backup_id):
    args = support.body(schemas.restore)['restore'] or {}
    ctx, caller = support.context(), support.caller()
    with support.db().writer() as session:
        backup = backup_for(session, backup_id, 'backups:restore')
        new_volume = args.get('volume_id') is None
        volume = backups.begin_restore(session, support.conf(), caller, ctx.user_id, backup,
                                       args.get('volume_id'), args.get('name'))
        result = {'backup_id': backup_id, 'volume_id': volume.id, 'volume_name': volume.name}
    volume_id = result['volume_id']
    casts.cast_or_undo(lambda: support.conductor().restore_backup(ctx, backup_id, volume_id),
                       lambda session: backups.undo_restore(session, backup_id, volume_id,
                                                            new_volume),
                       doing=f'restore backup {backup_id}', outcome='the backup was not restored')
    return flask.jsonify(restore=result), 202


def _reset_status(backup_id, args):
    with support.db().writer() as session:
        backup = backup_for(session, backup_id, 'backups:reset_status')
        backups.reset_status(session, backup, args['status'].lower())
    return support.accepted()


def _force_delete(backup_id, _args):
    return delete_backup(backup_id, force=True)


ACTIONS = {
    'os-reset_status': (schemas.reset_status, _reset_status),
    'os-force_delete': (schemas.force_delete, _force_delete),
}


@bp.post('/<backup_id>/action')
def act(backup_id):
    return actions.dispatch(ACTIONS, backup_id)
