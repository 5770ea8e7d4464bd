"""What every network API module needs: the backend, the caller, policy, bodies."""
import dataclasses

import flask

from common.wsgi import app as wsgi_app
from common.wsgi import validation
from network import exceptions as net_exc
from network.api import query


@dataclasses.dataclass(frozen=True)
class Caller:
    """Who asks: their project, and whether they administer the whole cloud."""
    project_id: str | None
    is_admin: bool


def backend():
    return flask.current_app.backend


def context():
    return wsgi_app.context()


def caller():
    ctx = context()
    return Caller(project_id=ctx.project_id,
                  is_admin=flask.current_app.enforcer.check(ctx, 'cloud_admin', {}))


def _target(target):
    target = dict(target or {})
    target.setdefault('project_id', context().project_id)
    target['tenant_id'] = target['project_id']
    return {k: str(v) if isinstance(v, bool) else v for k, v in target.items()}


def authorize(action, target=None):
    """Raise 403 unless the caller may do ``network:<action>`` on ``target``."""
    flask.current_app.enforcer.authorize(context(), f'network:{action}', _target(target))


def allowed(action, target=None):
    return flask.current_app.enforcer.check(context(), f'network:{action}', _target(target))


# ``before_request``: 400 for a NUL character in the path, query or JSON body.
refuse_nul_characters = validation.nul_character_refusal(
    lambda reason: net_exc.InvalidInput(detail=reason))


def body(resource, schema):
    """The ``{"<resource>": {...}}`` of the request, checked against ``schema``."""
    data = validation.json_body(schema)
    return data[resource]


def list_request(collection, hidden=()):
    """The list request of this query string; ``hidden`` attributes cannot filter or sort."""
    return query.parse(flask.request.args, collection,
                       flask.current_app.conf.pagination_max_limit, hidden)


def owner(attrs):
    """The project a new resource is for: ``project_id`` or ``tenant_id``, else the caller's.

    :raises InvalidInput: when both are given and differ.
    """
    project_id, tenant_id = attrs.get('project_id'), attrs.get('tenant_id')
    if project_id and tenant_id and project_id != tenant_id:
        raise net_exc.InvalidInput(detail="'project_id' and 'tenant_id' do not match")
    return project_id or tenant_id or context().project_id


def fields():
    return [f for f in flask.request.args.getlist('fields') if f]


def show(resource, item):
    return flask.jsonify({resource: query.select_fields(item, fields())})


def created(resource, item):
    return flask.jsonify({resource: item}), 201


def no_content():
    return flask.Response(status=204)


def enveloped(resource, attributes_schema, required=()):
    """A request-body schema ``{"<resource>": {attributes}}``, unknown attributes refused."""
    return {
        'type': 'object',
        'properties': {resource: {'type': 'object', 'properties': attributes_schema,
                                  'required': list(required),
                                  'additionalProperties': False}},
        'required': [resource],
        'additionalProperties': False,
    }
