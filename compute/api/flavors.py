"""``/v2.1/flavors``: list, show, create, describe (2.55) and delete flavors."""
import flask

from common import exceptions
from common.wsgi import pagination
from common.wsgi import validation
from compute import flavors
from compute import request_values
from compute.api import microversion
from compute.api import support
from compute.api.schemas import flavors as schemas
from compute.api.views import flavors as views

bp = flask.Blueprint('flavors', __name__, url_prefix=f'{support.API_PREFIX}/flavors')


def caller_flavor(session, flavor_id):
    """The flavor ``flavor_id`` as the caller may see it (404 for hidden private ones)."""
    return flavors.get(session, flavor_id, support.context().project_id,
                       support.is_cloud_admin())


def _query_int(name):
    value = flask.request.args.get(name)
    if value is None:
        return None
    try:
        return request_values.parse_int(value, name)
    except request_values.InvalidInteger:
        raise exceptions.BadRequest(f'Invalid {name} filter [{value}]') from None


def _is_public(is_admin):
    """Nova's ``is_public``: absent means True, ``None`` means all; only administrators
    choose (for others the parameter is ignored, as Nova does)."""
    value = flask.request.args.get('is_public')
    if value is None or not is_admin:
        return True
    lowered = value.strip().lower()
    if lowered == 'none':
        return None
    if lowered in validation.TRUE_STRINGS:
        return True
    if lowered in validation.FALSE_STRINGS:
        return False
    raise exceptions.BadRequest(f'Invalid is_public filter [{value}]')


def _list(render):
    support.authorize('flavors:index')
    ctx = support.context()
    max_limit = flask.current_app.conf.api.max_limit
    limit, marker = pagination.page_params(max_limit)
    args = flask.request.args
    is_admin = support.is_cloud_admin()
    with support.db().reader() as session:
        rows = flavors.list_flavors(
            session, ctx.project_id, is_admin, is_public=_is_public(is_admin),
            min_ram=_query_int('minRam'), min_disk=_query_int('minDisk'),
            sort_key=args.get('sort_key') or 'flavorid', sort_dir=args.get('sort_dir') or 'asc',
            limit=limit if limit is not None else max_limit, marker=marker)
    body = {'flavors': [render(f) for f in rows]}
    # As Nova: a full page (of ``limit``, or of the maximum) has a next link.
    page = limit if limit is not None else max_limit
    next_href = pagination.next_link(support.base_url() + flask.request.path, rows, page,
                                     key='flavorid')
    if next_href:
        body['flavors_links'] = [{'rel': 'next', 'href': next_href}]
    return flask.jsonify(body)


@bp.get('')
def list_flavors():
    return _list(views.summary)


@bp.get('/detail')
def list_flavors_detail():
    return _list(views.detail)


@bp.get('/<flavor_id>')
def show_flavor(flavor_id):
    support.authorize('flavors:show')
    with support.db().reader() as session:
        flavor = caller_flavor(session, flavor_id)
    return flask.jsonify(flavor=views.detail(flavor))


def _integer(body, key, minimum, default=None):
    value = body.get(key)
    if value is None:
        return default
    return request_values.parse_int(value, key, minimum=minimum)


def _create_attrs(body):
    """The ``Flavor`` columns of a validated create body."""
    rxtx = body.get('rxtx_factor')
    is_public = body.get('os-flavor-access:is_public')
    return {
        'flavorid': body.get('id'), 'name': body['name'],
        'memory_mb': _integer(body, 'ram', 1), 'vcpus': _integer(body, 'vcpus', 1),
        'root_gb': _integer(body, 'disk', 0),
        'ephemeral_gb': _integer(body, 'OS-FLV-EXT-DATA:ephemeral', 0, default=0),
        'swap': _integer(body, 'swap', 0, default=0),
        'rxtx_factor': 1.0 if rxtx is None else float(rxtx),
        'is_public': True if is_public is None else (
            is_public if isinstance(is_public, bool)
            else is_public.lower() in validation.TRUE_STRINGS),
        'description': body.get('description'),
    }


@bp.post('')
def create_flavor():
    body = validation.json_body(schemas.create(microversion.at_least('2.55')))['flavor']
    support.authorize('os-flavor-manage:create')
    attrs = _create_attrs(body)
    with support.db().writer() as session:
        flavor = flavors.create(session, attrs)
        rendered = views.detail(flavor)
    support.notify('compute.flavor.create', rendered)
    return flask.jsonify(flavor=rendered)


@bp.put('/<flavor_id>')
def update_flavor(flavor_id):
    microversion.require('2.55')
    description = validation.json_body(schemas.update)['flavor']['description']
    support.authorize('os-flavor-manage:update')
    with support.db().writer() as session:
        flavor = caller_flavor(session, flavor_id)
        flavor.description = description
        session.flush()
        rendered = views.detail(flavor)
    support.notify('compute.flavor.update', rendered)
    return flask.jsonify(flavor=rendered)


@bp.delete('/<flavor_id>')
def delete_flavor(flavor_id):
    support.authorize('os-flavor-manage:delete')
    with support.db().writer() as session:
        flavor = caller_flavor(session, flavor_id)
        flavors.delete(session, flavor)
    support.notify('compute.flavor.delete', {'id': flavor_id})
    return support.accepted()
