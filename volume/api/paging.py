"""Lists of snapshots and backups: filters, sort, keyset pages; and, for every list
(volumes' too), the next links and the response body.

They read the query string as ``volume.listing`` reads it for volumes
(``limit`` capped at ``[api] max_limit``, no ``offset``, ``sort=k:dir`` or
``sort_key``/``sort_dir``, ``marker`` an id), with the few exact filters
Cinder allows on these resources.  Any other filter is ignored, as Cinder
strips it.  A cloud administrator lists every project with
``all_tenants`` (then ``project_id`` narrows it).
"""
import dataclasses
import urllib.parse

import flask
import sqlalchemy as sa

from common.db import pagination
from volume import listing
from volume.api import support


@dataclasses.dataclass(frozen=True)
class Resource:
    """What differs between the lists: the model, its columns and its name."""
    model: object
    sort_columns: dict  # sort key -> column (never NULL)
    filters: dict  # query filter -> column compared for equality
    not_found: callable  # marker_id -> the 404 of a marker that is not visible


def page(session, resource, visible):
    """The rows of one list request among those ``visible`` (an SQL condition), and the
    ``limit`` it was given (for ``next_links``).

    :raises InvalidInput: (400) a bad limit, offset or sort.
    """
    args, caller = flask.request.args, support.caller()
    limit = listing.parse_limit(args, support.conf().api.max_limit)
    sort = listing.parse_sort(args, resource.sort_columns)
    model = resource.model
    stmt = sa.select(model).where(visible)
    listed = caller.project_id
    if caller.is_admin and listing.parse_bool('all_tenants', args.get('all_tenants', 'false'),
                                              strict=False):
        listed = args.get('project_id') or None
    if listed is not None:
        stmt = stmt.where(model.project_id == listed)
    for name, column in resource.filters.items():
        if name in args:
            stmt = stmt.where(column == args[name])
    columns = [resource.sort_columns[key] for key, _ in sort] + [model.id]
    directions = [direction for _, direction in sort] + [sort[-1][1]]
    marker = None
    if args.get('marker'):
        row = session.execute(sa.select(*columns).where(model.id == args['marker'],
                                                        visible)).first()
        if row is None:
            raise resource.not_found(args['marker'])
        marker = tuple(row)
    stmt = pagination.paginate(stmt, columns, limit=limit, marker=marker,
                               directions=directions)
    return list(session.execute(stmt).scalars()), limit


def body(collection, items, links):
    """A list response's body: ``{collection: items}``, and ``<collection>_links``
    only when there is a next page (volumes' lists use it too)."""
    result = {collection: items}
    if links:
        result[f'{collection}_links'] = links
    return result


def next_links(items, limit, path):
    """Cinder's ``<collection>_links``: a next link when the page is full."""
    if not items or len(items) < limit:
        return []
    args = [(k, v) for k, v in flask.request.args.items(multi=True)
            if k not in ('marker', 'offset')]
    if 'limit' not in flask.request.args:
        args.append(('limit', str(limit)))
    args.append(('marker', items[-1]['id']))
    return [{'rel': 'next',
             'href': f'{support.collection_url(path)}?{urllib.parse.urlencode(args)}'}]
