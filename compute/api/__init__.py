"""The compute API (Nova v2.1): app factory.

Every route but version discovery lives under ``/v2.1``; a request's
microversion is negotiated before the view runs (``microversion``).
"""
import importlib

import flask

from common import auth
from common.policy import Enforcer
from common.rpc import Notifier
from common.wsgi.app import create_base_app
from compute import policies
from compute.api import microversion
from compute.backend import open_database
from compute.identity import ProjectChecker
from compute.images import ImageClient
from compute.rpcapi import ConductorAPI
from compute.volumes import VolumeClient

# The modules of compute.api that each hold a blueprint ``bp``.
BLUEPRINT_MODULES = (
    'versions',
    'servers', 'server_metadata', 'server_tags', 'ips',
    'flavors', 'flavor_extra_specs', 'flavor_access', 'keypairs', 'limits', 'quota_sets',
    'server_actions', 'instance_actions',
    'availability_zones', 'aggregates', 'services', 'hypervisors', 'simple_tenant_usage',
    'server_groups', 'server_external_events', 'volume_attachments',
)


def create_app(conf, *, db=None, conductor=None, images=None, volumes=None, projects=None,
               authenticate=auth.authenticate, wrap_auth=True):
    """The compute WSGI app.

    :param db: the database (default: the configured one).
    :param conductor: the ``ConductorAPI`` (tests pass one on a fake transport).
    :param images: the image service client (default ``compute.images.ImageClient``).
    :param volumes: the volume service client (default ``compute.volumes.VolumeClient``).
    :param projects: what tells whether a project exists (default
        ``compute.identity.ProjectChecker``).
    :param authenticate: how a request's context is built; tests pass their
        own and ``wrap_auth=False`` to run without an identity service.
    """
    app = create_base_app(__name__, service='compute', conf=conf, fault_style='openstack',
                          authenticate=authenticate,
                          health_check=lambda: flask.current_app.db.ping())
    app.before_request(microversion.negotiate)
    app.after_request(microversion.add_headers)
    app.enforcer = Enforcer(conf, policies.list_rules())
    app.db = db or open_database(conf)
    app.conductor = conductor or ConductorAPI(conf)
    app.images = images or ImageClient(conf)
    app.volumes = volumes or VolumeClient(conf)
    app.projects = projects or ProjectChecker(conf)
    app.notifier = Notifier(conf, 'compute')
    for module in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(f'compute.api.{module}').bp)
    if wrap_auth:
        app.wsgi_app = auth.wrap(app.wsgi_app, conf)
    return app
