"""``/v3/{project_id}/os-quota-sets/{target_project_id}``: limits, usage and defaults.

A project reads its own quotas (``?usage=True`` adds what it uses);
cloud administrators read any project's and set or reset them.  A limit
below what the project already uses is refused (400), as in Cinder.  The
answers carry one key per resource, per-type ones (``volumes_<type>`` …)
included.
"""
import flask

from common.wsgi import validation
from volume import exceptions as vol_exc
from volume import listing
from volume import quotas
from volume.api import support
from volume.api.schemas import quota_sets as schemas

# The length of the project ids the quotas table holds.
MAX_PROJECT_ID = 64
bp = flask.Blueprint('quota_sets', __name__,
                     url_prefix=f'{support.API_PREFIX}/os-quota-sets/<target_project_id>')


def _quotas():
    return quotas.Quotas(support.conf())


def _limit(key, value):
    """A limit from a body value (an integer or its text) in ``[-1, DB max]``."""
    try:
        number = int(value) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or not -1 <= number <= quotas.DB_INTEGER_MAX:
        raise vol_exc.InvalidInput(reason=f'{key} must be an integer between -1 and '
                                          f'{quotas.DB_INTEGER_MAX}; {value!r} is not.')
    return number


@bp.get('')
def show(target_project_id):
    support.authorize('quota_sets:show', project_id=target_project_id)
    usage = listing.parse_bool('usage', flask.request.args.get('usage', 'false'), strict=True)
    engine = _quotas()
    with support.db().reader() as session:
        limits = engine.limits(session, target_project_id)
        body = limits
        if usage:
            used = engine.usage(session, target_project_id)
            body = {name: {'limit': limit, 'in_use': used.get(name, 0), 'reserved': 0}
                    for name, limit in limits.items()}
    return flask.jsonify(quota_set={'id': target_project_id, **body})


@bp.get('/defaults')
def defaults(target_project_id):
    support.authorize('quota_sets:show', project_id=target_project_id)
    with support.db().reader() as session:
        body = _quotas().defaults(session)
    return flask.jsonify(quota_set={'id': target_project_id, **body})


@bp.put('')
def update(target_project_id):
    values = validation.json_body(schemas.update)['quota_set']
    support.authorize('quota_sets:update', project_id=target_project_id)
    if len(target_project_id) > MAX_PROJECT_ID:
        raise vol_exc.InvalidInput(reason=f'A project id has at most {MAX_PROJECT_ID} '
                                          'characters.')
    limits = {key: _limit(key, value) for key, value in values.items()
              if key not in quotas.NON_QUOTA_KEYS}
    engine = _quotas()
    with support.db().writer() as session:
        engine.set_limits(session, target_project_id, limits)
        body = engine.limits(session, target_project_id)
    support.notify('quota.update', {'project_id': target_project_id, 'limits': limits})
    return flask.jsonify(quota_set=body)


@bp.delete('')
def delete(target_project_id):
    support.authorize('quota_sets:delete', project_id=target_project_id)
    with support.db().writer() as session:
        _quotas().reset(session, target_project_id)
    return support.ok_empty()
