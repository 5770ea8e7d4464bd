"""What every volume API module needs: the database, the caller, policy, links, replies.

Every route but version discovery lives under ``/v3/<project_id>``.  The
project in the URL must be the token's (the request acts in that
project); only a cloud administrator may name another one there
(``check_url_project``).  Cinder answers such a request 400; Stratus
answers 403, as for any other request the caller may not make.
"""
import dataclasses

import flask

from common import exceptions
from common.wsgi import app as wsgi_app
from common.wsgi import validation
from volume import exceptions as vol_exc

API_PREFIX = '/v3/<project_id>'
POLICY_PREFIX = 'volume'


@dataclasses.dataclass(frozen=True)
class Caller:
    """Who asks: the project the request acts in, and whether they administer the cloud."""
    project_id: str | None
    user_id: str | None
    is_admin: bool


def db():
    return flask.current_app.db


def conf():
    return flask.current_app.conf


def conductor():
    return flask.current_app.conductor


def context():
    return wsgi_app.context()


def is_cloud_admin():
    return flask.current_app.enforcer.check(context(), 'cloud_admin', {})


def project_id():
    """The project the request acts in: the one in its URL."""
    return flask.g.get('url_project_id') or context().project_id


def caller():
    return Caller(project_id=project_id(), user_id=context().user_id,
                  is_admin=is_cloud_admin())


def pull_url_project(_endpoint, values):
    """``url_value_preprocessor``: take ``<project_id>`` out of the view's arguments."""
    if values and 'project_id' in values:
        flask.g.url_project_id = values.pop('project_id')


def check_url_project():
    """``before_request`` (after authentication): 403 for another project's URL."""
    url_project = flask.g.get('url_project_id')
    if url_project is None or url_project == context().project_id:
        return
    if not flask.current_app.enforcer.check(context(), f'{POLICY_PREFIX}:url_project',
                                            {'project_id': url_project}):
        raise vol_exc.ProjectMismatch(url_project_id=url_project)


# ``before_request``: 400 for a NUL character in the path, query or JSON body.
refuse_nul_characters = validation.nul_character_refusal(
    lambda reason: vol_exc.InvalidInput(reason=reason))


def _target(target):
    target.setdefault('project_id', project_id())
    return target


def authorize(action, **target):
    """Raise 403 unless the caller may do ``volume:<action>`` on ``target``.

    ``project_id`` in ``target`` is the owner of the resource acted on; it
    defaults to the request's project (for creates and lists).
    """
    flask.current_app.enforcer.authorize(context(), f'{POLICY_PREFIX}:{action}',
                                         _target(target))


def allowed(action, **target):
    """True when ``authorize`` would pass (no exception, no audit mark)."""
    return flask.current_app.enforcer.check(context(), f'{POLICY_PREFIX}:{action}',
                                            _target(target))


def body(schema):
    return validation.json_body(schema)


def metadata_item(schema, key):
    """The ``meta`` of a ``PUT …/metadata/{key}`` body (volumes, snapshots).

    :raises BadRequest: (400) it does not name exactly ``key``, as in Cinder.
    """
    item = body(schema)['meta']
    if key not in item:
        raise exceptions.BadRequest('Request body and URI mismatch')
    if len(item) > 1:
        raise exceptions.BadRequest('Request body contains too many items')
    return item


def base_url():
    """The API's URL as the client should see it (``[api] public_url`` or the request's)."""
    return (conf().api.public_url or flask.request.host_url).rstrip('/')


def links(collection, item_id):
    """Cinder's ``links`` of an item: self (versioned) and bookmark."""
    base, project = base_url(), project_id()
    return [{'rel': 'self', 'href': f'{base}/v3/{project}/{collection}/{item_id}'},
            {'rel': 'bookmark', 'href': f'{base}/{project}/{collection}/{item_id}'}]


def collection_url(path):
    return f'{base_url()}/v3/{project_id()}/{path}'


def notify(event_type, payload):
    flask.current_app.notifier.info(context(), event_type, payload)


def accepted():
    return flask.Response(status=202)


def ok_empty():
    """200 with no body (Cinder's answer to metadata and quota deletes)."""
    return flask.Response(status=200)
