"""``/v2.0/quotas``: per-project limits, their defaults and usage."""
import flask

from network import exceptions as net_exc
from network import quotas
from network.api import support

bp = flask.Blueprint('quotas', __name__, url_prefix='/v2.0/quotas')

UPDATE = {'type': 'object', 'properties': {'quota': {'type': 'object'}},
          'required': ['quota'], 'additionalProperties': False}


@bp.get('')
def list_quotas():
    support.authorize('get_quotas')
    backend = support.backend()
    with backend.db.reader() as session:
        items = [{'project_id': p, 'tenant_id': p, **quotas.limits(session, backend.conf, p)}
                 for p in quotas.projects_with_quotas(session)]
    return flask.jsonify(quotas=items)


@bp.get('/<project_id>')
def get_quota(project_id):
    support.authorize('get_quota', {'project_id': project_id})
    backend = support.backend()
    with backend.db.reader() as session:
        limits = quotas.limits(session, backend.conf, project_id)
    return flask.jsonify(quota=limits)


@bp.get('/<project_id>/default')
def get_default(project_id):
    support.authorize('get_quota', {'project_id': project_id})
    return flask.jsonify(quota={'project_id': project_id, 'tenant_id': project_id,
                                **quotas.defaults(support.backend().conf)})


@bp.get('/<project_id>/details')
def get_details(project_id):
    support.authorize('get_quota', {'project_id': project_id})
    backend = support.backend()
    with backend.db.reader() as session:
        limits = quotas.limits(session, backend.conf, project_id)
        used = quotas.usage(session, project_id)
    return flask.jsonify(quota={name: {'limit': limits[name], 'used': used[name],
                                       'reserved': 0} for name in quotas.RESOURCES})


@bp.put('/<project_id>')
def update_quota(project_id):
    values = dict(support.body('quota', UPDATE))
    # The quota-check-limit extension: OSC sends one of these on every set.
    check_limit = values.pop('check_limit', False)
    force = values.pop('force', False)
    if not isinstance(check_limit, bool) or not isinstance(force, bool):
        raise net_exc.InvalidInput(detail="'check_limit' and 'force' must be true or false")
    support.authorize('update_quota', {'project_id': project_id})
    backend = support.backend()
    with backend.db.writer() as session:
        if check_limit and not force:
            quotas.check_below_usage(session, project_id, values)
        quotas.set_limits(session, project_id, values)
        limits = quotas.limits(session, backend.conf, project_id)
    return flask.jsonify(quota=limits)


@bp.delete('/<project_id>')
def delete_quota(project_id):
    support.authorize('delete_quota', {'project_id': project_id})
    with support.backend().db.writer() as session:
        quotas.reset(session, project_id)
    return support.no_content()
