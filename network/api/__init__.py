"""The network API (Neutron v2.0): app factory."""
import flask

from common import auth
from common.policy import Enforcer
from common.rpc import Notifier
from common.wsgi.app import create_base_app
from network import policies
from network.api import (agent_schedulers, agents, availability_zones, changes, extensions,
                         floatingips, ip_availability, networks, ports, quotas, routers,
                         security_group_rules, security_groups, subnets, support, versions)
from network.backend import Backend
from network.rpcapi import ConductorAPI

BLUEPRINTS = (versions.bp, extensions.bp, networks.bp, subnets.bp, ports.bp, routers.bp,
              floatingips.bp, security_groups.bp, security_group_rules.bp, quotas.bp, agents.bp,
              availability_zones.bp, ip_availability.bp, agent_schedulers.bp)


def create_app(conf, backend=None, authenticate=auth.authenticate, wrap_auth=True,
               conductor=None):
    """The network WSGI app.

    :param authenticate: how a request's context is built; tests pass their
        own and ``wrap_auth=False`` to run without an identity service.
    :param conductor: the ``ConductorAPI`` told of every change (tests pass
        one on their own transport).
    """
    app = create_base_app(__name__, service='network', conf=conf, fault_style='neutron',
                          authenticate=authenticate,
                          health_check=lambda: flask.current_app.backend.db.ping())
    app.before_request(support.refuse_nul_characters)
    app.enforcer = Enforcer(conf, policies.list_rules())
    app.backend = backend or Backend(conf, notifier=Notifier(conf, 'network'))
    app.conductor = conductor or ConductorAPI(conf)
    app.after_request(changes.tell_conductor)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    if wrap_auth:
        app.wsgi_app = auth.wrap(app.wsgi_app, conf)
    return app
