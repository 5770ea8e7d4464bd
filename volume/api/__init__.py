"""The volume API (Cinder v3): app factory.

Every route but version discovery lives under ``/v3/<project_id>``; a
request's microversion is negotiated before the view runs
(``microversion``), and the project in its URL checked against its token
(``support.check_url_project``).
"""
import importlib

import flask

from common import auth
from common.policy import Enforcer
from common.rpc import Notifier
from common.wsgi.app import create_base_app
from volume import images as image_service
from volume import policies
from volume.api import microversion
from volume.api import support
from volume.backend import open_database
from volume.rpcapi import AgentAPI, ConductorAPI

# The modules of volume.api that each hold a blueprint ``bp``.
BLUEPRINT_MODULES = (
    'versions',
    'volumes', 'volume_metadata', 'volume_actions',
    'types', 'type_extra_specs', 'type_access',
    'quota_sets', 'limits', 'availability_zones', 'services',
    'usage', 'attachments',
    'snapshots', 'snapshots_metadata', 'backups', 'snapshot_policies',
)


def create_app(conf, *, db=None, conductor=None, images=None, agent=None,
               authenticate=auth.authenticate, wrap_auth=True):
    """The volume WSGI app.

    :param db: the database (default: the configured one).
    :param conductor: the ``ConductorAPI`` (tests pass one of their own).
    :param agent: the ``AgentAPI``, whose calls connect attachments (tests too).
    :param images: the image service client (default: ``volume.images.ImageClient``).
    :param authenticate: how a request's context is built; tests pass their
        own and ``wrap_auth=False`` to run without an identity service.
    """
    app = create_base_app(__name__, service='volume', conf=conf, fault_style='openstack',
                          authenticate=authenticate,
                          health_check=lambda: flask.current_app.db.ping())
    app.url_value_preprocessor(support.pull_url_project)
    app.before_request(support.refuse_nul_characters)
    app.before_request(microversion.negotiate)
    app.before_request(support.check_url_project)
    app.after_request(microversion.add_headers)
    app.enforcer = Enforcer(conf, policies.list_rules())
    app.db = db or open_database(conf)
    app.conductor = conductor or ConductorAPI(conf)
    app.agent = agent or AgentAPI(conf)
    app.images = images or image_service.ImageClient(conf)
    app.notifier = Notifier(conf, 'volume')
    for module in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(f'volume.api.{module}').bp)
    if wrap_auth:
        app.wsgi_app = auth.wrap(app.wsgi_app, conf)
    return app
