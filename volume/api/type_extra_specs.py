"""``/v3/{project_id}/types/{type_id}/extra_specs``: a volume type's extra specs.

Readers see the user-visible specs (``multiattach`` …); cloud
administrators see and change all of them.  Specs of a type a volume uses
are not changed (400), as in Cinder: the volume was made under the old ones.
"""
import flask

from common import exceptions
from common.wsgi import validation
from volume import exceptions as vol_exc
from volume import volume_types
from volume.api import support
from volume.api.schemas import types as schemas

bp = flask.Blueprint('type_extra_specs', __name__,
                     url_prefix=f'{support.API_PREFIX}/types/<type_id>/extra_specs')


def _shown(session, volume_type):
    specs = volume_types.extra_specs(session, [volume_type.id])[volume_type.id]
    return volume_types.shown_specs(specs, support.allowed('types:read_sensitive'))


@bp.get('')
def index(type_id):
    support.authorize('type_extra_specs:get_all')
    with support.db().reader() as session:
        volume_type = volume_types.get(session, support.caller(), type_id)
        return flask.jsonify(extra_specs=_shown(session, volume_type))


@bp.post('')
def create(type_id):
    specs = validation.json_body(schemas.extra_specs)['extra_specs']
    support.authorize('type_extra_specs:create')
    with support.db().writer() as session:
        volume_type = volume_types.get(session, support.caller(), type_id)
        volume_types.set_specs(session, volume_type, specs)
    support.notify('volume_type_extra_specs.create', {'type_id': type_id, 'specs': specs})
    return flask.jsonify(extra_specs=specs)


@bp.get('/<key>')
def show(type_id, key):
    support.authorize('type_extra_specs:get')
    with support.db().reader() as session:
        volume_type = volume_types.get(session, support.caller(), type_id)
        specs = _shown(session, volume_type)
    if key not in specs:
        raise vol_exc.VolumeTypeExtraSpecsNotFound(volume_type_id=type_id, extra_specs_key=key)
    return flask.jsonify({key: specs[key]})


@bp.put('/<key>')
def update(type_id, key):
    item = validation.json_body(schemas.extra_spec_item)
    support.authorize('type_extra_specs:update')
    if key not in item:
        raise exceptions.BadRequest('Request body and URI mismatch')
    with support.db().writer() as session:
        volume_type = volume_types.get(session, support.caller(), type_id)
        volume_types.set_specs(session, volume_type, item)
    support.notify('volume_type_extra_specs.update', {'type_id': type_id, 'id': key})
    return flask.jsonify(item)


@bp.delete('/<key>')
def delete(type_id, key):
    support.authorize('type_extra_specs:delete')
    with support.db().writer() as session:
        volume_type = volume_types.get(session, support.caller(), type_id)
        volume_types.delete_spec(session, volume_type, key)
    support.notify('volume_type_extra_specs.delete', {'type_id': type_id, 'id': key})
    return support.accepted()
