"""``/v3/{project_id}/volumes/{volume_id}/metadata``: a volume's key/value metadata.

``POST`` merges, ``PUT`` replaces the whole set, ``PUT …/{key}`` sets one
key (the body must name exactly that key); all answer with the user's
metadata as Cinder does.  A volume in ``maintenance`` is not changed.
"""
import flask

from volume import exceptions as vol_exc
from volume import volumes
from volume.api import support
from volume.api.schemas import volumes as schemas
from volume.api.volumes import volume_for

bp = flask.Blueprint('volume_metadata', __name__,
                     url_prefix=f'{support.API_PREFIX}/volumes/<volume_id>/metadata')


@bp.get('')
def index(volume_id):
    with support.db().reader() as session:
        volume = volume_for(session, volume_id, 'volume_metadata:get')
        return flask.jsonify(metadata=volumes.user_metadata(session, volume.id))


@bp.post('')
def create(volume_id):
    wanted = support.body(schemas.metadata)['metadata']
    with support.db().writer() as session:
        volume = volume_for(session, volume_id, 'volume_metadata:update')
        merged = {**volumes.user_metadata(session, volume.id), **wanted}
        return flask.jsonify(metadata=volumes.replace_metadata(session, volume, merged))


@bp.put('')
def update_all(volume_id):
    wanted = support.body(schemas.metadata)['metadata']
    with support.db().writer() as session:
        volume = volume_for(session, volume_id, 'volume_metadata:update')
        return flask.jsonify(metadata=volumes.replace_metadata(session, volume, wanted))


@bp.get('/<key>')
def show(volume_id, key):
    with support.db().reader() as session:
        volume = volume_for(session, volume_id, 'volume_metadata:get')
        items = volumes.user_metadata(session, volume.id)
    if key not in items:
        raise vol_exc.VolumeMetadataNotFound(volume_id=volume_id, metadata_key=key)
    return flask.jsonify(meta={key: items[key]})


@bp.put('/<key>')
def update(volume_id, key):
    item = support.metadata_item(schemas.metadata_item, key)
    with support.db().writer() as session:
        volume = volume_for(session, volume_id, 'volume_metadata:update')
        volumes.replace_metadata(session, volume,
                                 {**volumes.user_metadata(session, volume.id), **item})
    return flask.jsonify(meta=item)


@bp.delete('/<key>')
def delete(volume_id, key):
    with support.db().writer() as session:
        volume = volume_for(session, volume_id, 'volume_metadata:delete')
        volumes.delete_metadata_key(session, volume, key)
    return support.ok_empty()
