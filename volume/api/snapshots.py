"""``/v3/{project_id}/snapshots``: create, list, show, update, delete, and actions.

A create is answered 202 with the snapshot ``creating``; the conductor has
the volume's backend take it (``ConductorAPI.create_snapshot``, cast once
the snapshot is committed).  A delete is answered 202 with the snapshot
``deleting``.  A cast RabbitMQ refuses is answered 503 and undone: the new
snapshot goes to ``error``, a delete is put back.
"""
import flask
import sqlalchemy as sa

from volume import exceptions as vol_exc
from volume import snapshots
from volume import states
from volume import volumes
from volume.api import actions
from volume.api import casts
from volume.api import paging
from volume.api import support
from volume.api.schemas import common as schema_types
from volume.api.schemas import snapshots as schemas
from volume.api.views import snapshots as views
from volume.db import models as m

bp = flask.Blueprint('snapshots', __name__, url_prefix=f'{support.API_PREFIX}/snapshots')
COLLECTION = 'snapshots'
_S = m.Snapshot
LISTED = paging.Resource(
    model=_S,
    sort_columns={'id': _S.id, 'name': sa.func.coalesce(_S.name, ''), 'status': _S.status,
                  'size': _S.volume_size, 'volume_id': _S.volume_id,
                  'created_at': _S.created_at, 'updated_at': _S.updated_at,
                  'project_id': _S.project_id},
    filters={'status': _S.status, 'volume_id': _S.volume_id, 'name': _S.name},
    not_found=lambda marker: vol_exc.SnapshotNotFound(snapshot_id=marker))


def snapshot_for(session, snapshot_id, action):
    """The snapshot ``snapshot_id`` if the caller may do ``volume:<action>`` on it (404 for
    one of another project)."""
    snapshot = volumes.get_snapshot(session, support.caller(), snapshot_id)
    support.authorize(action, project_id=snapshot.project_id)
    return snapshot


def render(session, rows, extended=True):
    metadata = snapshots.user_metadata(session, [s.id for s in rows])
    return [views.detail(s, metadata[s.id], extended=extended and support.allowed(
        'snapshots:extended_attributes', project_id=s.project_id)) for s in rows]


def _list(detailed):
    support.authorize('snapshots:get_all')
    with support.db().reader() as session:
        rows, limit = paging.page(session, LISTED, snapshots.visible(support.caller()))
        items = render(session, rows, extended=detailed)
    links = paging.next_links(items, limit, 'snapshots/detail' if detailed else 'snapshots')
    return flask.jsonify(paging.body(COLLECTION, items, links))


@bp.get('')
def index():
    return _list(detailed=False)


@bp.get('/detail')
def detail():
    return _list(detailed=True)


def _text(attrs, key, legacy):
    value = attrs.get(key, attrs.get(legacy))
    return value.strip() if isinstance(value, str) else value


@bp.post('')
def create():
    attrs = support.body(schemas.create)['snapshot']
    support.authorize('snapshots:create')
    force = schema_types.as_bool(attrs.get('force') or False)
    ctx, caller = support.context(), support.caller()
    with support.db().writer() as session:
        volume = volumes.get(session, caller, attrs['volume_id'])
        support.authorize('snapshots:create', project_id=volume.project_id)
        snapshot = snapshots.create(
            session, support.conf(), volume, ctx.user_id,
            {'name': _text(attrs, 'name', 'display_name'),
             'description': _text(attrs, 'description', 'display_description'),
             'metadata': attrs.get('metadata')}, force=force)
        result = render(session, [snapshot], extended=False)[0]
        event = snapshots.notification(snapshot)
    cast_create(ctx, snapshot.id)
    support.notify('snapshot.create.start', event)
    return flask.jsonify(snapshot=result), 202


def cast_create(ctx, snapshot_id):
    """Ask the conductor to take the snapshot; if it cannot be asked, the snapshot goes to
    ``error`` (503): nothing would ever take it, and the user can delete it."""
    casts.cast_or_undo(lambda: support.conductor().create_snapshot(ctx, snapshot_id),
                       lambda session: snapshots.transition(
                           session, snapshot_id, (states.SNAPSHOT_CREATING,),
                           status=states.SNAPSHOT_ERROR),
                       doing=f'create snapshot {snapshot_id}',
                       outcome='the snapshot was put in error')


@bp.get('/<snapshot_id>')
def show(snapshot_id):
    with support.db().reader() as session:
        snapshot = snapshot_for(session, snapshot_id, 'snapshots:get')
        return flask.jsonify(snapshot=render(session, [snapshot])[0])


@bp.put('/<snapshot_id>')
def update(snapshot_id):
    changes = support.body(schemas.update)['snapshot']
    with support.db().writer() as session:
        snapshot = snapshot_for(session, snapshot_id, 'snapshots:update')
        for key, legacy in (('name', 'display_name'), ('description', 'display_description')):
            if key in changes or legacy in changes:
                setattr(snapshot, key, _text(changes, key, legacy))
        session.flush()
        return flask.jsonify(snapshot=render(session, [snapshot], extended=False)[0])


def delete_snapshot(snapshot_id, *, force):
    """Start deleting a snapshot the caller may delete; 202."""
    ctx = support.context()
    with support.db().writer() as session:
        snapshot = snapshot_for(session, snapshot_id, 'snapshots:delete')
        if force:
            support.authorize('snapshots:force_delete', project_id=snapshot.project_id)
        previous = snapshots.begin_delete(session, snapshot, force=force)
        event = snapshots.notification(snapshot)
    casts.cast_or_undo(lambda: support.conductor().delete_snapshot(ctx, snapshot_id),
                       lambda session: snapshots.undo_delete(session, snapshot_id, previous),
                       doing=f'delete snapshot {snapshot_id}',
                       outcome='the snapshot was not deleted')
    support.notify('snapshot.delete.start', event)
    return support.accepted()


@bp.delete('/<snapshot_id>')
def delete(snapshot_id):
    return delete_snapshot(snapshot_id, force=False)


def _reset_status(snapshot_id, args):
    with support.db().writer() as session:
        snapshot = snapshot_for(session, snapshot_id, 'snapshots:reset_status')
        snapshots.reset_status(session, snapshot, args['status'].lower())
    return support.accepted()


def _force_delete(snapshot_id, _args):
    return delete_snapshot(snapshot_id, force=True)


ACTIONS = {
    'os-reset_status': (schemas.reset_status, _reset_status),
    'os-force_delete': (schemas.force_delete, _force_delete),
}


@bp.post('/<snapshot_id>/action')
def act(snapshot_id):
    return actions.dispatch(ACTIONS, snapshot_id)
