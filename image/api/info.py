"""``/v2/info/*`` and ``/v2/schemas/*``: what clients ask before they act."""
import flask

from image.api import support
from image.api.schemas import images as image_schemas
from image.api.schemas import members as member_schemas

bp = flask.Blueprint('info', __name__, url_prefix='/v2')

IMPORT_METHODS = ['glance-direct']


@bp.get('/info/import')
def import_methods():
    support.authorize('get_info')
    return flask.jsonify({'import-methods': {'description': 'Import methods available.',
                                             'type': 'array', 'value': IMPORT_METHODS}})


@bp.get('/info/stores')
def stores():
    support.authorize('get_info')
    return flask.jsonify(stores=[{'id': 'file', 'default': True,
                                  'description': 'Image data in a local directory.'}])


@bp.get('/info/usage')
def usage():
    support.authorize('get_info')
    backend = support.backend()
    with backend.db.writer() as session:
        result = backend.quotas.usage(session, support.context().project_id)
    return flask.jsonify(result.as_glance_usage())


_DOCUMENTS = {'image': image_schemas.image_document, 'images': image_schemas.images_document,
              'member': member_schemas.member_document,
              'members': member_schemas.members_document}


@bp.get('/schemas/<any(image,images,member,members):name>')
def schema(name):
    support.authorize('get_schemas')
    return flask.jsonify(_DOCUMENTS[name]())
