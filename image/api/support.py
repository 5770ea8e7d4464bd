"""What every image API module needs: the backend, the caller, policy, rendering."""
import flask

from common.wsgi import app as wsgi_app
from image.api.views import images as image_views
from image.db import api as db_api
from image.visibility import Caller


def backend():
    return flask.current_app.backend


def context():
    return wsgi_app.context()


def allowed(action):
    return flask.current_app.enforcer.check(context(), f'image:{action}',
                                            {'project_id': context().project_id})


def authorize(action, **target):
    target.setdefault('project_id', context().project_id)
    flask.current_app.enforcer.authorize(context(), f'image:{action}', target)


def caller():
    ctx = context()
    is_admin = flask.current_app.enforcer.check(ctx, 'cloud_admin', {})
    return Caller(project_id=ctx.project_id, is_admin=is_admin)


def render_images(session, images):
    ids = [i.id for i in images]
    properties = db_api.properties_of(session, ids)
    tags = db_api.tags_of(session, ids)
    return [image_views.render(i, properties[i.id], tags[i.id]) for i in images]


def render_image(session, image):
    return render_images(session, [image])[0]


def no_content(status=204):
    return flask.Response(status=status)
