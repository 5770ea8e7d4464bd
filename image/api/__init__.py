"""The image API (Glance v2): app factory."""
import flask

from common import auth
from common.policy import Enforcer
from common.rpc import Notifier
from common.wsgi.app import create_base_app
from image import policies
from image.api import data, images, info, members, support, versions
from image.backend import Backend

BLUEPRINTS = (versions.bp, images.bp, data.bp, members.bp, info.bp)


def create_app(conf, backend=None, authenticate=auth.authenticate, wrap_auth=True):
    """The image WSGI app.

    :param authenticate: how a request's context is built; tests pass their
        own and ``wrap_auth=False`` to run without an identity service.
    """
    app = create_base_app(__name__, service='image', conf=conf, fault_style='openstack',
                          authenticate=authenticate,
                          health_check=lambda: flask.current_app.backend.db.ping())
    app.enforcer = Enforcer(conf, policies.list_rules())
    app.backend = backend or Backend(conf, allowed=support.allowed,
                                     notifier=Notifier(conf, 'image'))
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    if wrap_auth:
        app.wsgi_app = auth.wrap(app.wsgi_app, conf)
    return app
