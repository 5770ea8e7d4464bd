"""``/v3/{project_id}/snapshots/{snapshot_id}/metadata``: a snapshot's key/value metadata.

``POST`` merges, ``PUT`` replaces the whole set, ``PUT …/{key}`` sets one
key (the body must name exactly that key), as for volumes.
"""
import flask

from common import exceptions
from volume import snapshots
from volume.api import support
from volume.api.schemas import snapshots as schemas
from volume.api.snapshots import snapshot_for

bp = flask.Blueprint('snapshots_metadata', __name__,
                     url_prefix=f'{support.API_PREFIX}/snapshots/<snapshot_id>/metadata')


class SnapshotMetadataNotFound(exceptions.NotFound):
    msg_fmt = 'Snapshot %(snapshot_id)s has no metadata with key %(metadata_key)s.'


def _current(session, snapshot):
    return snapshots.user_metadata(session, [snapshot.id])[snapshot.id]


@bp.get('')
def index(snapshot_id):
    with support.db().reader() as session:
        snapshot = snapshot_for(session, snapshot_id, 'snapshot_metadata:get')
        return flask.jsonify(metadata=_current(session, snapshot))


@bp.post('')
def create(snapshot_id):
    wanted = support.body(schemas.metadata)['metadata']
    with support.db().writer() as session:
        snapshot = snapshot_for(session, snapshot_id, 'snapshot_metadata:update')
        merged = {**_current(session, snapshot), **wanted}
        return flask.jsonify(metadata=snapshots.replace_metadata(session, snapshot, merged))


@bp.put('')
def update_all(snapshot_id):
    wanted = support.body(schemas.metadata)['metadata']
    with support.db().writer() as session:
        snapshot = snapshot_for(session, snapshot_id, 'snapshot_metadata:update')
        return flask.jsonify(metadata=snapshots.replace_metadata(session, snapshot, wanted))


@bp.get('/<key>')
def show(snapshot_id, key):
    with support.db().reader() as session:
        items = _current(session, snapshot_for(session, snapshot_id, 'snapshot_metadata:get'))
    if key not in items:
        raise SnapshotMetadataNotFound(snapshot_id=snapshot_id, metadata_key=key)
    return flask.jsonify(meta={key: items[key]})


@bp.put('/<key>')
def update(snapshot_id, key):
    item = support.metadata_item(schemas.metadata_item, key)
    with support.db().writer() as session:
        snapshot = snapshot_for(session, snapshot_id, 'snapshot_metadata:update')
        snapshots.replace_metadata(session, snapshot, {**_current(session, snapshot), **item})
    return flask.jsonify(meta=item)


@bp.delete('/<key>')
def delete(snapshot_id, key):
    with support.db().writer() as session:
        snapshot = snapshot_for(session, snapshot_id, 'snapshot_metadata:delete')
        current = _current(session, snapshot)
        if key not in current:
            raise SnapshotMetadataNotFound(snapshot_id=snapshot_id, metadata_key=key)
        del current[key]
        snapshots.replace_metadata(session, snapshot, current)
    return support.ok_empty()
