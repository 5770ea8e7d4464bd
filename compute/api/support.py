"""What every compute API module needs: the database, the caller, policy, replies."""
import flask

from common import exceptions
from common.wsgi import app as wsgi_app
from compute.db import api as db_api

API_PREFIX = '/v2.1'


def db():
    return flask.current_app.db


def conductor():
    return flask.current_app.conductor


def context():
    return wsgi_app.context()


def verify_project(project_id):
    """:raises ProjectNotFound: identity says project ``project_id`` does not exist."""
    flask.current_app.projects.verify(context(), project_id)


def authorize(action, **target):
    """Raise 403 unless the caller may do ``compute:<action>`` on ``target``.

    ``project_id`` in ``target`` is the owner of the resource acted on; it
    defaults to the caller's project (for creates and lists).
    """
    target.setdefault('project_id', context().project_id)
    target.setdefault('user_id', context().user_id)
    flask.current_app.enforcer.authorize(context(), f'compute:{action}', target)


def allowed(action, **target):
    """True when ``authorize`` would pass (no exception, no audit mark)."""
    target.setdefault('project_id', context().project_id)
    target.setdefault('user_id', context().user_id)
    return flask.current_app.enforcer.check(context(), f'compute:{action}', target)


def is_cloud_admin():
    return flask.current_app.enforcer.check(context(), 'cloud_admin', {})


def base_url():
    """The API's URL as the client should see it (``[api] public_url`` or the request's)."""
    return (flask.current_app.conf.api.public_url or flask.request.host_url).rstrip('/')


def link(path):
    """Nova's ``links`` list for ``path`` (relative to ``/v2.1``): self and bookmark."""
    base = base_url()
    return [{'rel': 'self', 'href': f'{base}{API_PREFIX}/{path}'},
            {'rel': 'bookmark', 'href': f'{base}/{path}'}]


def notify(event_type, payload):
    flask.current_app.notifier.info(context(), event_type, payload)


def no_content(status=204):
    return flask.Response(status=status)


def accepted():
    return flask.Response(status=202)


def instance_for(session, server_id, action, *, include_deleted=False):
    """The server ``server_id`` if the caller may do ``compute:<action>`` on it.

    A server of another project is answered 404, as if it did not exist
    (Nova does the same), unless policy lets the caller act on it (cloud
    admins); a caller of the owning project without the needed role gets 403.
    ``include_deleted`` also finds deleted servers (their instance actions).
    """
    instance = db_api.get_instance(session, server_id, include_deleted=include_deleted)
    if instance is None:
        raise exceptions.NotFound(f'Instance {server_id} could not be found.')
    if not allowed(action, project_id=instance.project_id, user_id=instance.user_id):
        if instance.project_id != context().project_id:
            raise exceptions.NotFound(f'Instance {server_id} could not be found.')
    authorize(action, project_id=instance.project_id, user_id=instance.user_id)
    return instance
