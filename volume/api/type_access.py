"""Private volume types' access lists (Cinder's ``os-volume-type-access``).

``GET /types/{id}/os-volume-type-access`` lists the projects of a private
type (404 for a public one); ``POST /types/{id}/action`` with
``addProjectAccess`` or ``removeProjectAccess`` changes it.  All are for
cloud administrators.
"""
import flask

from common import exceptions
from common.wsgi import validation
from volume import volume_types
from volume.api import support
from volume.api.schemas import types as schemas

bp = flask.Blueprint('type_access', __name__, url_prefix=f'{support.API_PREFIX}/types/<type_id>')


@bp.get('/os-volume-type-access')
def index(type_id):
    support.authorize('type_access:list')
    with support.db().reader() as session:
        volume_type = volume_types.get(session, support.caller(), type_id)
        projects = volume_types.access_list(session, volume_type)
    return flask.jsonify(volume_type_access=[{'volume_type_id': type_id, 'project_id': p}
                                             for p in projects])


# action -> (body schema, policy, change)
ACTIONS = {
    'addProjectAccess': (schemas.add_project_access, 'type_access:add_project',
                         volume_types.add_access),
    'removeProjectAccess': (schemas.remove_project_access, 'type_access:remove_project',
                            volume_types.remove_access),
}


@bp.post('/action')
def act(type_id):
    body = validation.json_body()
    name = next((k for k in body if k in ACTIONS), None) if isinstance(body, dict) else None
    if name is None:
        raise exceptions.BadRequest('There is no such action. Verify the request body and '
                                    'Content-Type header and try again.')
    schema, action, change = ACTIONS[name]
    validation.validate(body, schema)
    support.authorize(action)
    with support.db().writer() as session:
        volume_type = volume_types.get(session, support.caller(), type_id)
        change(session, volume_type, body[name]['project'])
    return support.accepted()
