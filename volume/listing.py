"""``GET /volumes`` filters, sorting and paging, as Cinder reads them.

Every project may filter on what Cinder's default ``resource_filters``
allow (name, status, metadata, bootable, migration status, zone, group,
size, times, and ``consumes_quota`` from 3.65); ``name~``-style partial
matches come at 3.34, ``created_at``/``updated_at`` comparisons
(``gt:2026-01-01T00:00:00``) at 3.60.  Any other filter is ignored, as
Cinder strips it.  Cloud administrators also list every project
(``all_tenants``, then ``project_id``) and filter on ``host`` and
``user_id``.  Pages are keyset pages (``marker``, an id), ordered by the
sort keys and then the id, so that no volume is skipped or repeated.
"""
import ast
import dataclasses
import datetime

import sqlalchemy as sa
from oslo_utils import timeutils

from common import exceptions
from common.db import pagination
from common.wsgi import validation
from volume import exceptions as vol_exc
from volume.db import models as m

_V = m.Volume
DB_MAX_INT = 2 ** 31 - 1
_EPOCH = datetime.datetime(1970, 1, 1)
SORT_COLUMNS = {
    'id': _V.id,
    'name': sa.func.coalesce(_V.name, ''),
    'display_name': sa.func.coalesce(_V.name, ''),
    'status': _V.status,
    'size': _V.size,
    'availability_zone': sa.func.coalesce(_V.availability_zone, ''),
    # Booleans as 0/1: a marker's value is compared with > or <, which SQL booleans lack.
    'bootable': sa.cast(_V.bootable, sa.Integer),
    'created_at': _V.created_at,
    'updated_at': _V.updated_at,
    'project_id': _V.project_id,
    'user_id': _V.user_id,
    'volume_type_id': sa.func.coalesce(_V.volume_type_id, ''),
    'host': sa.func.coalesce(_V.host, ''),
    'migration_status': sa.func.coalesce(_V.migration_status, ''),
    'launched_at': sa.func.coalesce(_V.launched_at, _EPOCH),
}
USER_FILTERS = ('name', 'status', 'metadata', 'bootable', 'migration_status',
                'availability_zone', 'group_id', 'size', 'created_at', 'updated_at',
                'consumes_quota')
ADMIN_FILTERS = ('host', 'user_id')
_LIKE = {'name': _V.name, 'status': _V.status, 'availability_zone': _V.availability_zone,
         'migration_status': _V.migration_status}
_EXACT = {'status': _V.status, 'availability_zone': _V.availability_zone,
          'migration_status': _V.migration_status, 'host': _V.host, 'user_id': _V.user_id}
_COMPARISONS = {'gt': '__gt__', 'gte': '__ge__', 'lt': '__lt__', 'lte': '__le__',
                'eq': '__eq__', 'neq': '__ne__'}


@dataclasses.dataclass
class Query:
    """What one list request asks for, once read from the query string."""
    clauses: list  # SQL conditions besides visibility
    project_id: str | None  # None: every project
    sort: list  # [(key, 'asc'|'desc')]
    limit: int
    marker: str | None
    offset: int


def _int(value, name, minimum=0):
    """A non-negative integer query value that every database can bind."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise vol_exc.InvalidInput(reason=f'{name} param must be an integer') from None
    if number < minimum:
        raise vol_exc.InvalidInput(reason=f'{name} param must be positive')
    if number > DB_MAX_INT:
        raise vol_exc.InvalidInput(reason=f'{name} param must be at most {DB_MAX_INT}')
    return number


def parse_limit(args, max_limit):
    """The page size: ``limit`` capped at ``max_limit``, which is also the default."""
    return min(_int(args['limit'], 'limit'), max_limit) if 'limit' in args else max_limit


def parse_sort(args, columns=None, default_key='created_at', default_dir='desc'):
    """``[(key, dir)]`` of ``sort=k1:asc,k2`` or the older ``sort_key``/``sort_dir``.

    :param columns: the keys allowed (default: the volumes' ``SORT_COLUMNS``).
    """
    columns = SORT_COLUMNS if columns is None else columns
    if 'sort' in args and ('sort_key' in args or 'sort_dir' in args):
        raise exceptions.BadRequest("The 'sort_key' and 'sort_dir' parameters are deprecated "
                                    "and cannot be used with the 'sort' parameter.")
    if 'sort' in args:
        pairs = []
        for item in args['sort'].split(','):
            key, _, direction = item.partition(':')
            pairs.append((key.strip(), direction.strip() or default_dir))
    else:
        pairs = [(args.get('sort_key', default_key).strip(),
                  args.get('sort_dir', default_dir).strip())]
    for key, direction in pairs:
        if key not in columns:
            raise vol_exc.InvalidInput(reason='Invalid sort key')
        if direction.lower() not in ('asc', 'desc'):
            raise vol_exc.InvalidInput(reason="Unknown sort direction, must be 'desc' or "
                                              "'asc'")
    return [(key, direction.lower()) for key, direction in pairs]


def parse_bool(name, value, strict):
    """A boolean query value; with ``strict``, anything else is a 400 (else true)."""
    lowered = value.strip().lower()
    if lowered in validation.TRUE_STRINGS:
        return True
    if lowered in validation.FALSE_STRINGS:
        return False
    if strict:
        raise vol_exc.InvalidInput(reason=f"'{value}' is not a valid boolean value for {name}")
    return True


def parse_dict_filter(name, text):
    """A ``?metadata=`` or ``?extra_specs=`` filter, Python dict text as Cinder takes it
    (``{'k': 'v'}``), as a dict of scalars.

    :raises InvalidInput: (400) anything else, including text ``literal_eval`` chokes on.
    """
    try:
        wanted = ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        wanted = None
    scalars = (str, int, float, bool, type(None))
    if not isinstance(wanted, dict) or not all(
            isinstance(k, scalars) and isinstance(v, scalars) for k, v in wanted.items()):
        raise vol_exc.InvalidInput(reason=f'Invalid {name} filter: {text}')
    return wanted


def _metadata_clauses(text):
    wanted = parse_dict_filter('metadata', text)
    return [_V.id.in_(sa.select(m.VolumeMetadata.volume_id).where(
        m.VolumeMetadata.key == str(k), m.VolumeMetadata.value == str(v)))
        for k, v in wanted.items()]


def _time_clauses(column, name, text):
    clauses = []
    for unit in text.split(','):
        operator, _, value = unit.partition(':')
        if operator not in _COMPARISONS or not value:
            raise exceptions.BadRequest(f'Invalid {name} filter: {unit}')
        try:
            moment = timeutils.normalize_time(timeutils.parse_isotime(value))
        except ValueError:
            raise exceptions.BadRequest(f'Invalid {name} value: {value}') from None
        clauses.append(getattr(column, _COMPARISONS[operator])(moment))
    return clauses


def _like_escape(text):
    return text.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_')


def _clause(name, value, at_least):
    """The SQL conditions of one filter (an empty list when it filters nothing)."""
    if name.endswith('~'):
        column = _LIKE.get(name[:-1])
        if column is None or not at_least('3.34'):
            return []
        return [column.like(f'%{_like_escape(value)}%', escape='\\')]
    if name == 'name':
        return [_V.name == value]
    if name in _EXACT:
        return [_EXACT[name] == value]
    if name == 'metadata':
        return _metadata_clauses(value)
    if name == 'bootable':
        return [_V.bootable.is_(parse_bool(name, value, strict=at_least('3.2')))]
    if name == 'size':
        return [_V.size == _int(value, 'size')]
    if name == 'group_id':
        # Stratus has no volume groups: no volume is in one.
        return [sa.false()] if at_least('3.10') else []
    if name in ('created_at', 'updated_at'):
        return _time_clauses(getattr(_V, name), name, value) if at_least('3.60') else []
    if name == 'consumes_quota' and at_least('3.65'):
        return [_V.use_quota.is_(parse_bool(name, value, strict=True))]
    return []


def parse(args, *, is_admin, project_id, max_limit, at_least):
    """The ``Query`` of a list request's query string ``args``.

    :param project_id: the project the request acts in.
    :param at_least: ``callable('3.X')`` telling whether the request's
        microversion is that or later.
    :raises InvalidInput: (400) a bad limit, offset, sort or filter value.
    """
    limit = parse_limit(args, max_limit)
    offset = _int(args.get('offset', 0), 'offset')
    sort = parse_sort(args)
    allowed = USER_FILTERS + (ADMIN_FILTERS if is_admin else ())
    listed_project = project_id
    if is_admin and parse_bool('all_tenants', args.get('all_tenants', 'false'), strict=False):
        listed_project = args.get('project_id') or None
    clauses = []
    for name, value in args.items():
        if name.rstrip('~') in allowed:
            clauses.extend(_clause(name, value, at_least))
    return Query(clauses=clauses, project_id=listed_project, sort=sort, limit=limit,
                 marker=args.get('marker') or None, offset=offset)


def _statement(query, visible):
    stmt = sa.select(m.Volume).where(visible, *query.clauses)
    if query.project_id is not None:
        stmt = stmt.where(m.Volume.project_id == query.project_id)
    return stmt


def fetch(session, query, visible):
    """The page of volumes ``query`` asks for among those ``visible`` (an SQL condition).

    :raises VolumeNotFound: the marker is not a volume the caller sees.
    """
    columns = [SORT_COLUMNS[key] for key, _ in query.sort] + [_V.id]
    directions = [direction for _, direction in query.sort] + [query.sort[-1][1]]
    marker = None
    if query.marker is not None:
        row = session.execute(sa.select(*columns).where(_V.id == query.marker, visible)).first()
        if row is None:
            raise vol_exc.VolumeNotFound(volume_id=query.marker)
        marker = tuple(row)
    stmt = pagination.paginate(_statement(query, visible), columns, limit=query.limit,
                               marker=marker, directions=directions)
    if query.offset:
        stmt = stmt.offset(query.offset)
    return list(session.execute(stmt).scalars())


def count(session, query, visible):
    """How many volumes match ``query``'s filters, pages aside (``with_count``)."""
    stmt = _statement(query, visible).with_only_columns(sa.func.count()).order_by(None)
    return session.execute(stmt).scalar_one()
