"""``/v3/{project_id}/types``: volume types (cloud administrators manage them).

Projects list the public types and the private ones shared with them;
``GET /types/default`` is the type of volumes that name none.  A cloud
administrator's list is the same unless ``is_public`` says otherwise
(``false``: the private ones, ``none``: all), as in Cinder.
"""

import flask
import sqlalchemy as sa

from common.db import pagination
from common.wsgi import validation
from volume import exceptions as vol_exc
from volume import listing
from volume import volume_types
from volume.api import support
from volume.api.schemas import common as schema_types
from volume.api.schemas import types as schemas
from volume.api.views import types as views
from volume.db import models as m

bp = flask.Blueprint('types', __name__, url_prefix=f'{support.API_PREFIX}/types')

_T = m.VolumeType
SORT_COLUMNS = {'id': _T.id, 'name': _T.name, 'created_at': _T.created_at,
                'updated_at': _T.updated_at,
                # As 0/1: a marker's value is compared with > or <, which booleans lack.
                'is_public': sa.cast(_T.is_public, sa.Integer),
                'description': sa.func.coalesce(_T.description, '')}


def render(session, rows, with_access_attribute=None):
    """Bodies of ``rows``; the access attribute when policy shows it (unless told)."""
    specs = volume_types.extra_specs(session, [t.id for t in rows])
    sensitive = support.allowed('types:read_sensitive')
    if with_access_attribute is None:
        with_access_attribute = support.allowed('types:access_attribute')
    return [views.render(t, volume_types.shown_specs(specs[t.id], sensitive),
                         with_access_attribute) for t in rows]


def _is_public_filter(caller):
    """The SQL condition of ``is_public``: non-admins always see the public types."""
    value = flask.request.args.get('is_public')
    shared = sa.select(m.VolumeTypeProject.volume_type_id).where(
        m.VolumeTypeProject.project_id == caller.project_id)
    public_or_shared = sa.or_(_T.is_public.is_(True), _T.id.in_(shared))
    if not caller.is_admin or value is None:
        return public_or_shared
    if value.strip().lower() == 'none':
        return sa.true()
    if listing.parse_bool('is_public', value, strict=True):
        return public_or_shared
    return _T.is_public.is_(False)


def _extra_specs_filter(caller):
    text = flask.request.args.get('extra_specs')
    if text is None:
        return []
    wanted = listing.parse_dict_filter('extra_specs', text)
    if not support.allowed('types:read_sensitive') and \
            any(k not in volume_types.USER_VISIBLE_EXTRA_SPECS for k in wanted):
        # Filtering on what the caller may not see would reveal it: match nothing.
        return [sa.false()]
    return [_T.id.in_(sa.select(m.VolumeTypeExtraSpec.volume_type_id).where(
        m.VolumeTypeExtraSpec.key == str(k), m.VolumeTypeExtraSpec.value == str(v)))
        for k, v in wanted.items()]


@bp.get('')
def index():
    support.authorize('types:get_all')
    caller = support.caller()
    args = flask.request.args
    sort = listing.parse_sort(args, SORT_COLUMNS)
    columns = [SORT_COLUMNS[k] for k, _ in sort] + [_T.id]
    directions = [d for _, d in sort] + [sort[-1][1]]
    limit = listing.parse_limit(args, support.conf().api.max_limit)
    listed = _is_public_filter(caller)
    with support.db().reader() as session:
        stmt = sa.select(_T).where(listed, *_extra_specs_filter(caller))
        marker = None
        if args.get('marker'):
            marker = session.execute(sa.select(*columns).where(
                _T.id == args['marker'], listed)).first()
            if marker is None:
                raise vol_exc.VolumeTypeNotFound(volume_type_id=args['marker'])
        stmt = pagination.paginate(stmt, columns, limit=limit, marker=marker and tuple(marker),
                                   directions=directions)
        rows = session.execute(stmt).scalars().all()
        return flask.jsonify(volume_types=render(session, rows))


@bp.get('/<type_id>')
def show(type_id):
    with support.db().reader() as session:
        if type_id == 'default':
            volume_type = volume_types.default(session, support.conf())
            if volume_type is None:
                raise vol_exc.DefaultVolumeTypeNotFound()
        else:
            volume_type = volume_types.get(session, support.caller(), type_id)
        support.authorize('types:get')
        return flask.jsonify(volume_type=render(session, [volume_type])[0])


@bp.post('')
def create():
    attrs = validation.json_body(schemas.create)['volume_type']
    support.authorize('types:create')
    is_public = schema_types.as_bool(attrs.get('os-volume-type-access:is_public', True))
    specs = {k: v for k, v in (attrs.get('extra_specs') or {}).items() if v is not None}
    with support.db().writer() as session:
        volume_type = volume_types.create(session, attrs['name'].strip(),
                                          attrs.get('description'), is_public, specs)
        body = render(session, [volume_type])[0]
    support.notify('volume_type.create', {'volume_types': body})
    return flask.jsonify(volume_type=body)


@bp.put('/<type_id>')
def update(type_id):
    attrs = validation.json_body(schemas.update)['volume_type']
    support.authorize('types:update')
    name, description = attrs.get('name'), attrs.get('description')
    is_public = attrs.get('is_public')
    if name is not None and not name.strip():
        raise vol_exc.InvalidInput(reason='Volume type name can not be empty.')
    if name is None and description is None and is_public is None:
        raise vol_exc.InvalidInput(reason='Specify volume type name, description, is_public '
                                          'or a combination thereof.')
    with support.db().writer() as session:
        volume_type = volume_types.get(session, support.caller(), type_id)
        volume_types.update(session, volume_type, name=name and name.strip(),
                            description=description,
                            is_public=None if is_public is None
                            else schema_types.as_bool(is_public))
        body = render(session, [volume_type], with_access_attribute=False)[0]
    support.notify('volume_type.update', {'volume_types': body})
    return flask.jsonify(volume_type=body)


@bp.delete('/<type_id>')
def delete(type_id):
    support.authorize('types:delete')
    with support.db().writer() as session:
        volume_type = volume_types.get(session, support.caller(), type_id)
        payload = {'id': volume_type.id, 'name': volume_type.name}
        volume_types.delete(session, support.conf(), volume_type)
    support.notify('volume_type.delete', {'volume_types': payload})
    return support.accepted()
