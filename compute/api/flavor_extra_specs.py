"""``/v2.1/flavors/{id}/os-extra_specs``: a flavor's extra specs (key/value strings)."""
import flask

from common import exceptions
from common.wsgi import validation
from compute import flavors
from compute.api import support
from compute.api.flavors import caller_flavor
from compute.api.schemas import flavors as schemas

bp = flask.Blueprint('flavor_extra_specs', __name__,
                     url_prefix=f'{support.API_PREFIX}/flavors/<flavor_id>/os-extra_specs')


def _as_strings(specs):
    """Nova stores numbers and booleans as their text (``4``, ``True``)."""
    return {key: value if isinstance(value, str) else str(value)
            for key, value in specs.items()}


@bp.get('')
def list_specs(flavor_id):
    support.authorize('os-flavor-extra-specs:index')
    with support.db().reader() as session:
        specs = flavors.extra_specs(session, caller_flavor(session, flavor_id))
    return flask.jsonify(extra_specs=specs)


@bp.post('')
def create_specs(flavor_id):
    specs = _as_strings(validation.json_body(schemas.extra_specs)['extra_specs'])
    support.authorize('os-flavor-extra-specs:create')
    with support.db().writer() as session:
        flavors.set_extra_specs(session, caller_flavor(session, flavor_id), specs)
    return flask.jsonify(extra_specs=specs)


@bp.get('/<key>')
def show_spec(flavor_id, key):
    support.authorize('os-flavor-extra-specs:show')
    with support.db().reader() as session:
        flavor = caller_flavor(session, flavor_id)
        specs = flavors.extra_specs(session, flavor)
    if key not in specs:
        raise flavors.ExtraSpecNotFound(flavor_id=flavor_id, key=key)
    return flask.jsonify({key: specs[key]})


@bp.put('/<key>')
def update_spec(flavor_id, key):
    body = validation.json_body(schemas.extra_spec)
    if len(body) > 1:
        raise exceptions.BadRequest('Request body contains too many items')
    if key not in body:
        raise exceptions.BadRequest('Request body and URI mismatch')
    specs = _as_strings(body)
    support.authorize('os-flavor-extra-specs:update')
    with support.db().writer() as session:
        flavors.set_extra_specs(session, caller_flavor(session, flavor_id), specs)
    return flask.jsonify(specs)


@bp.delete('/<key>')
def delete_spec(flavor_id, key):
    support.authorize('os-flavor-extra-specs:delete')
    with support.db().writer() as session:
        flavors.delete_extra_spec(session, caller_flavor(session, flavor_id), key)
    # Nova answers 200 with an empty body here.
    return support.no_content(200)
