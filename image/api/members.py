"""``/v2/images/{id}/members``: sharing an image with other projects."""
import flask

from common.wsgi import validation
from image.api import support
from image.api.schemas import members as schemas
from image.api.views import members as views

bp = flask.Blueprint('members', __name__, url_prefix='/v2/images/<image_id>/members')


@bp.get('')
def list_members(image_id):
    support.authorize('get_members')
    backend = support.backend()
    with backend.db.reader() as session:
        rows = backend.images.members(session, image_id, support.caller())
    return flask.jsonify(members=[views.render(r) for r in rows],
                         schema='/v2/schemas/members')


@bp.post('')
def add_member(image_id):
    member_id = validation.json_body(schemas.create)['member']
    support.authorize('add_member')
    backend = support.backend()
    with backend.db.writer() as session:
        row = backend.images.add_member(session, image_id, support.caller(), member_id)
        body = views.render(row)
    backend.notify(support.context(), 'image.member.create', body)
    return flask.jsonify(body)


@bp.get('/<member_id>')
def get_member(image_id, member_id):
    support.authorize('get_member')
    backend = support.backend()
    with backend.db.reader() as session:
        row = backend.images.get_member(session, image_id, support.caller(), member_id)
    return flask.jsonify(views.render(row))


@bp.put('/<member_id>')
def update_member(image_id, member_id):
    status = validation.json_body(schemas.update)['status']
    support.authorize('modify_member')
    backend = support.backend()
    with backend.db.writer() as session:
        row = backend.images.update_member(session, image_id, support.caller(), member_id,
                                           status)
        body = views.render(row)
    backend.notify(support.context(), 'image.member.update', body)
    return flask.jsonify(body)


@bp.delete('/<member_id>')
def delete_member(image_id, member_id):
    support.authorize('delete_member')
    backend = support.backend()
    with backend.db.writer() as session:
        backend.images.delete_member(session, image_id, support.caller(), member_id)
    backend.notify(support.context(), 'image.member.delete',
                   {'image_id': image_id, 'member_id': member_id})
    return support.no_content()
