"""After every successful change, tell the conductor, which pushes the host states.

The network agents have no database: they learn of a new port, rule or
router from the state the conductor pushes them (``network.conductor.
agent_notifier``).  One hook for every mutating request keeps that from
depending on each handler remembering to.  The cast fails fast when the
bus is down; the request has succeeded all the same, and the conductor's
periodic push carries the change.
"""
import logging

import flask

from network.api import support

LOG = logging.getLogger(__name__)
MUTATING = frozenset({'POST', 'PUT', 'PATCH', 'DELETE'})


def tell_conductor(response):
    request = flask.request
    if request.method in MUTATING and 200 <= response.status_code < 300 \
            and request.path.startswith('/v2.0/'):
        try:
            flask.current_app.conductor.resources_changed(support.context())
        except Exception as exc:  # the change is committed: never fail the request
            LOG.warning('Could not tell the network conductor about %s %s: %s',
                        request.method, request.path, exc)
    return response
