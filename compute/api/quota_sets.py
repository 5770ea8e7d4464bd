"""``/v2.1/os-quota-sets/{project_id}``: a project's limits, usage and defaults.

The fields follow the microversion as in Nova: nova-network's (fixed and
floating IPs, security groups and rules) are shown below 2.36, always as
unlimited since the network service owns those quotas; the injected-file
ones go at 2.57.  Quotas are per project: per-user quotas (``user_id``)
are not supported.
"""
import flask

from common import exceptions
from common.wsgi import validation
from compute import quotas
from compute import request_values
from compute.api import microversion
from compute.api import support
from compute.api.schemas import quota_sets as schemas

bp = flask.Blueprint('quota_sets', __name__,
                     url_prefix=f'{support.API_PREFIX}/os-quota-sets/<project_id>')

NETWORK = ('fixed_ips', 'floating_ips', 'security_group_rules', 'security_groups')
INJECTED = ('injected_file_content_bytes', 'injected_file_path_bytes', 'injected_files')
# API name -> quota resource, for the names that differ.
_RESOURCE = {'injected_file_path_bytes': 'injected_file_path_length'}
_ALL = ('cores', *NETWORK, *INJECTED, 'instances', 'key_pairs', 'metadata_items', 'ram',
        'server_group_members', 'server_groups')


def names():
    """The quota names of the request's microversion, sorted."""
    hidden = set()
    if microversion.at_least('2.36'):
        hidden.update(NETWORK)
    if microversion.at_least('2.57'):
        hidden.update(INJECTED)
    return tuple(sorted(n for n in _ALL if n not in hidden))


def _render(limits, used=None):
    """``{name: limit}`` or, with ``used``, ``{name: {in_use, limit, reserved}}``."""
    body = {}
    for name in names():
        resource = _RESOURCE.get(name, name)
        limit = limits.get(resource, quotas.UNLIMITED)
        body[name] = limit if used is None else {
            'in_use': used.get(resource, 0), 'limit': limit, 'reserved': 0}
    return body


def _no_user_quotas():
    if 'user_id' in flask.request.args:
        raise exceptions.BadRequest('Per-user quotas are not supported; '
                                    'quotas apply to the whole project.')


def _quotas():
    return quotas.Quotas(flask.current_app.conf)


@bp.get('')
def show(project_id):
    support.authorize('os-quota-sets:show', project_id=project_id)
    with support.db().reader() as session:
        limits = _quotas().limits(session, project_id)
    return flask.jsonify(quota_set={'id': project_id, **_render(limits)})


@bp.get('/detail')
def detail(project_id):
    support.authorize('os-quota-sets:detail', project_id=project_id)
    engine = _quotas()
    with support.db().reader() as session:
        limits = engine.limits(session, project_id)
        used = engine.usage(session, project_id, user_id=flask.request.args.get('user_id'))
    return flask.jsonify(quota_set={'id': project_id, **_render(limits, used)})


@bp.get('/defaults')
def defaults(project_id):
    support.authorize('os-quota-sets:defaults', project_id=project_id)
    return flask.jsonify(quota_set={'id': project_id, **_render(_quotas().defaults())})


@bp.put('')
def update(project_id):
    body = validation.json_body(schemas.update(names()))['quota_set']
    support.authorize('os-quota-sets:update', project_id=project_id)
    _no_user_quotas()
    support.verify_project(project_id)
    force = body.pop('force', False)
    force = force if isinstance(force, bool) else force.lower() in validation.TRUE_STRINGS
    # nova-network's quotas are accepted below 2.36, as Nova does, but have no
    # effect: they stay unlimited here (the network service has its own).
    limits = {_RESOURCE.get(name, name): request_values.parse_int(value, name, minimum=-1)
              for name, value in body.items() if name not in NETWORK}
    engine = _quotas()
    with support.db().writer() as session:
        engine.set_limits(session, project_id, limits, force=force)
        current = engine.limits(session, project_id)
    return flask.jsonify(quota_set=_render(current))


@bp.delete('')
def reset(project_id):
    support.authorize('os-quota-sets:delete', project_id=project_id)
    _no_user_quotas()
    with support.db().writer() as session:
        _quotas().reset(session, project_id)
    return support.accepted()
