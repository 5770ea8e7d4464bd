"""``/v2/images``: create, list, show, update (JSON Patch), delete, tags, (de)activation."""
import urllib.parse

import flask

from common.wsgi import pagination
from common.wsgi import validation
from image import listing
from image.api import patch
from image.api import support
from image.api.schemas import images as schemas

bp = flask.Blueprint('images', __name__, url_prefix='/v2/images')


def _next_link(images, limit):
    if not images or len(images) < limit:
        return None
    query = [(k, v) for k, v in flask.request.args.items(multi=True)
             if k not in ('marker', 'limit')]
    query += [('marker', images[-1].id), ('limit', str(limit))]
    return '/v2/images?' + urllib.parse.urlencode(query)


@bp.get('')
def list_images():
    support.authorize('get_images')
    backend = support.backend()
    limit, _ = pagination.page_params(flask.current_app.conf.api.max_limit)
    limit = limit if limit is not None else backend.conf.image.limit_param_default
    with backend.db.reader() as session:
        images = listing.list_images(session, flask.request.args, support.caller(), limit)
        body = {'images': support.render_images(session, images), 'first': '/v2/images',
                'schema': '/v2/schemas/images'}
    next_link = _next_link(images, limit)
    if next_link:
        body['next'] = next_link
    return flask.jsonify(body)


@bp.post('')
def create_image():
    attrs = validation.json_body(schemas.create)
    support.authorize('add_image')
    backend = support.backend()
    with backend.db.writer() as session:
        image = backend.images.create(session, support.caller(), attrs)
        body = support.render_image(session, image)
    backend.notify(support.context(), 'image.create', body)
    response = flask.jsonify(body)
    response.status_code = 201
    response.headers['Location'] = f'/v2/images/{image.id}'
    return response


@bp.get('/<image_id>')
def get_image(image_id):
    support.authorize('get_image')
    backend = support.backend()
    with backend.db.reader() as session:
        body = support.render_image(session, backend.images.get(session, image_id,
                                                                support.caller()))
    return flask.jsonify(body)


@bp.patch('/<image_id>')
def update_image(image_id):
    changes = patch.parse(flask.request)
    support.authorize('modify_image')
    backend = support.backend()
    with backend.db.writer() as session:
        image = backend.images.update(session, image_id, support.caller(), changes)
        body = support.render_image(session, image)
    backend.notify(support.context(), 'image.update', body)
    return flask.jsonify(body)


@bp.delete('/<image_id>')
def delete_image(image_id):
    support.authorize('delete_image')
    backend = support.backend()
    with backend.db.writer() as session:
        location = backend.images.delete(session, image_id, support.caller())
    # Only now that the deletion is committed may the data go.
    backend.data.delete_data(image_id, location)
    backend.notify(support.context(), 'image.delete', {'id': image_id})
    return support.no_content()


@bp.post('/<image_id>/actions/<any(deactivate,reactivate):action>')
def change_activation(image_id, action):
    support.authorize(action)
    backend = support.backend()
    with backend.db.writer() as session:
        image = backend.images.set_active(session, image_id, support.caller(),
                                          active=action == 'reactivate')
        body = support.render_image(session, image)
    backend.notify(support.context(), f'image.{action}', body)
    return support.no_content()


@bp.put('/<image_id>/tags/<tag>')
def add_tag(image_id, tag):
    validation.validate({'tag': tag}, {'properties': {'tag': {'type': 'string',
                                                             'maxLength': 255}}})
    support.authorize('modify_tag')
    backend = support.backend()
    with backend.db.writer() as session:
        backend.images.add_tag(session, image_id, support.caller(), tag)
    return support.no_content()


@bp.delete('/<image_id>/tags/<tag>')
def remove_tag(image_id, tag):
    support.authorize('modify_tag')
    backend = support.backend()
    with backend.db.writer() as session:
        backend.images.remove_tag(session, image_id, support.caller(), tag)
    return support.no_content()
