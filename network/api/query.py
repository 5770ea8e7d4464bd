"""Neutron's list conventions, for every resource: filters, fields, sorting, paging.

* Any query parameter naming a filterable attribute filters on it; a
  repeated one (``?status=ACTIVE&status=DOWN``) matches any of its values.
  Parameters naming no attribute are ignored, as Neutron does.
* ``fields=a&fields=b`` keeps only those attributes of each item.
* ``sort_key``/``sort_dir`` (both repeatable, paired in order) sort; the id
  always breaks ties so that pages never overlap.
* ``limit``/``marker`` (and ``page_reverse``) page with keyset pagination;
  the answer carries ``<collection>_links`` with ``next``/``previous`` links,
  and an unknown marker is a 404.

A resource describes itself with a ``Collection``: which attribute is which
column, how a query value converts, which filters need a clause of their own.
"""
import dataclasses
import datetime
import urllib.parse

import flask
import sqlalchemy as sa

from common import exceptions
from common.wsgi import validation
from network import exceptions as net_exc

CONTROL_PARAMS = frozenset(('fields', 'sort_key', 'sort_dir', 'limit', 'marker',
                            'page_reverse'))
DB_INTEGER_LIMIT = 2 ** 31


@dataclasses.dataclass(frozen=True)
class Collection:
    """How the list requests of one resource map onto its table.

    :param name: the collection key, e.g. ``networks`` (links are ``networks_links``).
    :param model: the ORM class; it has an ``id`` column.
    :param columns: ``{attribute: column}`` of the attributes that filter and sort.
    :param special_filters: ``{attribute: callable(values) -> SQL clause}`` for
        attributes that are not one column (``fixed_ips`` of ports …).
    """
    name: str
    model: type
    columns: dict
    special_filters: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class ListRequest:
    filters: dict
    fields: list
    sort: list
    limit: int | None
    marker: str | None
    page_reverse: bool


def _boolean(attribute, value):
    lowered = value.strip().lower()
    if lowered in validation.TRUE_STRINGS:
        return True
    if lowered in validation.FALSE_STRINGS:
        return False
    raise net_exc.InvalidInput(detail=f"'{value}' is not a valid boolean value "
                                      f"for '{attribute}'")


def _integer(attribute, value):
    try:
        number = int(value)
    except ValueError:
        number = None
    # Beyond what an INTEGER column holds, databases refuse the comparison itself.
    if number is None or not -DB_INTEGER_LIMIT <= number < DB_INTEGER_LIMIT:
        raise net_exc.InvalidInput(detail=f"'{value}' is not an integer for '{attribute}'")
    return number


def _timestamp(attribute, value):
    try:
        moment = datetime.datetime.fromisoformat(value.strip().replace('Z', '+00:00'))
    except ValueError:
        raise net_exc.InvalidInput(detail=f"'{value}' is not a valid timestamp for "
                                          f"'{attribute}'") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment


def _convert(attribute, column, value):
    """``value`` (a query-string string) as the column's Python type."""
    python_type = getattr(column.type, 'python_type', str) \
        if not isinstance(column.type, sa.JSON) else str
    if python_type is bool:
        return _boolean(attribute, value)
    if python_type is int:
        return _integer(attribute, value)
    if python_type is datetime.datetime:
        return _timestamp(attribute, value)
    return value


def parse(args, collection, max_limit, hidden=()):
    """The ``ListRequest`` of a query string (a werkzeug ``MultiDict``).

    :param hidden: attributes the caller may not see; they neither filter nor
        sort, so that they cannot be probed.
    """
    filters = {}
    for key in args.keys():
        if key in CONTROL_PARAMS or key in hidden:
            continue
        values = args.getlist(key)
        if key in collection.special_filters:
            filters[key] = values
        elif key in collection.columns:
            column = collection.columns[key]
            filters[key] = [None if v == '' and column.nullable else
                            _convert(key, column, v) for v in values]
    keys, dirs = args.getlist('sort_key'), args.getlist('sort_dir')
    if len(dirs) > len(keys) or (dirs and len(dirs) != len(keys)):
        raise exceptions.BadRequest('The number of sort_keys and sort_dirs must be the same.')
    sort = []
    for i, key in enumerate(keys):
        direction = dirs[i].lower() if dirs else 'asc'
        if key not in collection.columns or key in hidden:
            raise exceptions.BadRequest(f'{key} is an invalid attribute for sort_keys.')
        if direction not in ('asc', 'desc'):
            raise exceptions.BadRequest(f"{dirs[i]} is an invalid value for sort_dirs, "
                                        "valid values are 'asc' and 'desc'.")
        sort.append((key, direction))
    limit = args.get('limit')
    if limit is not None:
        try:
            limit = int(limit)
        except ValueError:
            raise exceptions.BadRequest(f"Limit must be an integer 0 or greater and not "
                                        f"'{limit}'.") from None
        if limit < 0:
            raise exceptions.BadRequest(f"Limit must be an integer 0 or greater and not "
                                        f"'{limit}'.")
        limit = min(limit, max_limit) if limit else None
    page_reverse = _boolean('page_reverse', args['page_reverse']) \
        if args.get('page_reverse') else False
    return ListRequest(filters=filters, fields=[f for f in args.getlist('fields') if f],
                       sort=sort, limit=limit, marker=args.get('marker') or None,
                       page_reverse=page_reverse)


def _filter_clause(collection, attribute, values):
    if attribute in collection.special_filters:
        return collection.special_filters[attribute](values)
    column = collection.columns[attribute]
    clauses = []
    present = [v for v in values if v is not None]
    if present:
        clauses.append(column.in_(present))
    if len(present) < len(values):
        clauses.append(column.is_(None))
    return sa.or_(*clauses)


def _sort_columns(collection, sort):
    """Sort expressions (NULL-free, as keyset paging needs) and their directions."""
    columns, directions = [], []
    for attribute, direction in sort:
        column = collection.columns[attribute]
        if column.nullable:
            python_type = getattr(column.type, 'python_type', str)
            column = sa.func.coalesce(column, -1 if python_type is int else
                                      (False if python_type is bool else ''))
        columns.append(column)
        directions.append(direction)
    if not any(attribute == 'id' for attribute, _ in sort):
        columns.append(collection.model.id)
        directions.append(directions[-1] if directions else 'asc')
    return columns, directions


def fetch(session, stmt, collection, request):
    """Run ``stmt`` (already limited to what the caller may see) as ``request`` asks.

    :returns: ``(rows, more)``: the page's rows in the asked order, and
        whether rows exist beyond the page in the direction of travel.
    """
    for attribute, values in request.filters.items():
        stmt = stmt.where(_filter_clause(collection, attribute, values))
    columns, directions = _sort_columns(collection, request.sort)
    if request.page_reverse:
        directions = ['desc' if d == 'asc' else 'asc' for d in directions]
    if request.marker is not None:
        marker_row = session.execute(
            stmt.with_only_columns(*columns).where(collection.model.id == request.marker)
        ).first()
        if marker_row is None:
            raise net_exc.MarkerNotFound(marker=request.marker)
        clauses = []
        for i, (column, direction) in enumerate(zip(columns, directions)):
            equal_before = [columns[j] == marker_row[j] for j in range(i)]
            after = column < marker_row[i] if direction == 'desc' else column > marker_row[i]
            clauses.append(sa.and_(*equal_before, after))
        stmt = stmt.where(sa.or_(*clauses))
    stmt = stmt.order_by(*[c.desc() if d == 'desc' else c.asc()
                           for c, d in zip(columns, directions)])
    if request.limit is not None:
        stmt = stmt.limit(request.limit + 1)
    rows = list(session.execute(stmt).scalars().unique())
    more = request.limit is not None and len(rows) > request.limit
    rows = rows[:request.limit] if request.limit is not None else rows
    if request.page_reverse:
        rows.reverse()
    return rows, more


def select_fields(item, fields):
    """``item`` with only ``fields`` (all of it when none are asked for)."""
    if not fields:
        return item
    return {k: v for k, v in item.items() if k in fields}


def _link(rel, marker, request, reverse):
    query = [(k, v) for k, v in flask.request.args.items(multi=True)
             if k not in ('marker', 'page_reverse')]
    query.append(('marker', marker))
    if reverse:
        query.append(('page_reverse', 'True'))
    base = (flask.current_app.conf.api.public_url or flask.request.host_url).rstrip('/')
    return {'rel': rel, 'href': f'{base}{flask.request.path}?{urllib.parse.urlencode(query)}'}


def links(items, request, more):
    """The ``next``/``previous`` links of a page (``[]`` when unpaged)."""
    if request.limit is None or not items:
        return []
    result = []
    forward_more, backward_more = (more, request.marker is not None)
    if request.page_reverse:
        forward_more, backward_more = request.marker is not None, more
    if forward_more:
        result.append(_link('next', items[-1]['id'], request, reverse=False))
    if backward_more:
        result.append(_link('previous', items[0]['id'], request, reverse=True))
    return result


def respond(collection, items, request, more):
    """The JSON body of a list answer, fields applied."""
    body = {collection.name: [select_fields(i, request.fields) for i in items]}
    page_links = links(items, request, more)
    if page_links:
        body[f'{collection.name}_links'] = page_links
    return body
