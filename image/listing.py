"""``GET /v2/images``: Glance's filters, sorting and marker/limit paging."""
import datetime

import sqlalchemy as sa

from common import exceptions as common_exc
from common.db import pagination
from image import visibility as vis
from image.db import models as m

SORT_KEYS = ('name', 'status', 'container_format', 'disk_format', 'size', 'virtual_size',
             'id', 'created_at', 'updated_at', 'visibility', 'owner', 'min_disk', 'min_ram')
_NUMERIC = ('size', 'virtual_size', 'min_disk', 'min_ram')
# Query parameters that are not filters on image attributes.
NOT_FILTERS = ('limit', 'marker', 'sort', 'sort_key', 'sort_dir', 'member_status',
               'visibility', 'tag', 'size_min', 'size_max', 'os_hidden')
COLUMN_FILTERS = ('name', 'status', 'owner', 'disk_format', 'container_format', 'id',
                  'protected', 'checksum', 'os_hash_value', 'min_disk', 'min_ram')
_OPERATORS = {'eq': '__eq__', 'neq': '__ne__', 'gt': '__gt__', 'gte': '__ge__',
              'lt': '__lt__', 'lte': '__le__'}


def _sort_expression(key):
    """NULL-free sort expression of ``key`` (keyset paging cannot compare NULLs)."""
    column = getattr(m.Image, key)
    if key in _NUMERIC:
        return sa.func.coalesce(column, -1)
    if key in ('name', 'owner', 'disk_format', 'container_format'):
        return sa.func.coalesce(column, '')
    return column


def parse_sort(args):
    """``[(key, 'asc'|'desc'), …]`` from ``sort=k:dir,…`` or ``sort_key``/``sort_dir``."""
    pairs = []
    if args.get('sort'):
        if args.getlist('sort_key') or args.getlist('sort_dir'):
            raise common_exc.BadRequest("'sort' cannot be combined with 'sort_key'/'sort_dir'.")
        for item in args['sort'].split(','):
            key, _, direction = item.strip().partition(':')
            pairs.append((key, direction or 'desc'))
    else:
        keys = args.getlist('sort_key')
        dirs = args.getlist('sort_dir')
        if len(dirs) > max(len(keys), 1):
            raise common_exc.BadRequest('More sort directions than sort keys.')
        for i, key in enumerate(keys or ['created_at']):
            pairs.append((key, dirs[i] if i < len(dirs) else (dirs[0] if dirs else 'desc')))
    for key, direction in pairs:
        if key not in SORT_KEYS:
            raise common_exc.BadRequest(f"Invalid sort key '{key}'; use one of "
                                        f"{', '.join(SORT_KEYS)}.")
        if direction not in ('asc', 'desc'):
            raise common_exc.BadRequest(f"Invalid sort direction '{direction}'.")
    if all(key != 'id' for key, _ in pairs):
        pairs.append(('id', pairs[-1][1]))
    return pairs


def _value_filter(column, raw, name):
    """``name=x``, ``name=in:a,b``, and for times ``created_at=gte:2026-01-01T00:00:00Z``."""
    if raw.startswith('in:'):
        return column.in_([v for v in raw[3:].split(',') if v])
    if name in ('created_at', 'updated_at'):
        op, _, when = raw.partition(':')
        if op not in _OPERATORS or not when:
            raise common_exc.BadRequest(f"Invalid filter '{name}={raw}': use <op>:<time> "
                                        f"with op one of {', '.join(_OPERATORS)}.")
        try:
            moment = datetime.datetime.fromisoformat(when.replace('Z', '+00:00'))
        except ValueError:
            raise common_exc.BadRequest(f"Invalid time '{when}' in filter '{name}'.") from None
        if moment.tzinfo is not None:
            moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return getattr(column, _OPERATORS[op])(moment)
    if name == 'protected':
        return column.is_(raw.lower() == 'true')
    if name in ('min_disk', 'min_ram'):
        try:
            return column == int(raw)
        except ValueError:
            raise common_exc.BadRequest(f"Invalid integer '{raw}' for '{name}'.") from None
    return column == raw


def _int_arg(args, name):
    if args.get(name) is None:
        return None
    try:
        return int(args[name])
    except ValueError:
        raise common_exc.BadRequest(f"Invalid integer '{args[name]}' for '{name}'.") from None


def build_query(args, caller):
    """The filtered SELECT (without order/page) of images ``caller`` may list."""
    visibility = args.get('visibility')
    if visibility not in (None, 'all') + vis.VISIBILITIES:
        raise common_exc.BadRequest(f"Invalid visibility '{visibility}'.")
    member_status = args.get('member_status', 'accepted')
    if member_status not in ('pending', 'accepted', 'rejected', 'all'):
        raise common_exc.BadRequest(f"Invalid member_status '{member_status}'.")
    where = [m.Image.status != 'deleted', vis.list_clause(caller, visibility, member_status)]
    hidden = args.get('os_hidden', 'false').lower()
    if hidden not in ('true', 'false'):
        raise common_exc.BadRequest("'os_hidden' must be true or false.")
    where.append(m.Image.os_hidden.is_(hidden == 'true'))
    for name in COLUMN_FILTERS + ('created_at', 'updated_at'):
        if args.get(name) is not None:
            where.append(_value_filter(getattr(m.Image, name), args[name], name))
    size_min, size_max = _int_arg(args, 'size_min'), _int_arg(args, 'size_max')
    if size_min is not None:
        where.append(m.Image.size >= size_min)
    if size_max is not None:
        where.append(m.Image.size <= size_max)
    for tag in args.getlist('tag'):
        where.append(m.Image.id.in_(sa.select(m.ImageTag.image_id).where(m.ImageTag.value == tag)))
    for name, value in args.items():
        if name not in NOT_FILTERS + COLUMN_FILTERS + ('created_at', 'updated_at'):
            where.append(m.Image.id.in_(sa.select(m.ImageProperty.image_id).where(
                m.ImageProperty.name == name, m.ImageProperty.value == value)))
    return sa.select(m.Image).where(*where)


def list_images(session, args, caller, limit):
    """One page of images for ``caller``, as ORM rows."""
    pairs = parse_sort(args)
    columns = [_sort_expression(key) for key, _ in pairs]
    directions = [direction for _, direction in pairs]
    stmt = build_query(args, caller)
    marker = None
    if args.get('marker'):
        visible = stmt.with_only_columns(*columns).where(m.Image.id == args['marker'])
        row = session.execute(visible).first()
        if row is None:
            raise common_exc.BadRequest(f"Marker {args['marker']} could not be found.")
        marker = tuple(row)
    stmt = pagination.paginate(stmt, columns, limit=limit, marker=marker, directions=directions)
    return list(session.execute(stmt).scalars())
