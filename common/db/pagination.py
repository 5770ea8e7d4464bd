"""Keyset pagination of SELECT statements (marker/limit)."""
import sqlalchemy as sa

from common import exceptions


def paginate(stmt, columns, *, limit=None, marker=None, descending=False, directions=None):
    """Order ``stmt`` by ``columns`` and return the page after ``marker``.

    :param columns: the columns (or expressions) that order the rows; the
        last one must be unique (normally the id), so every row has one
        place.  They must not be NULL: wrap nullable ones in ``coalesce``.
    :param marker: the values of ``columns`` in the row the previous page
        ended with, or ``None`` for the first page.
    :param descending: sort every column newest/largest first.
    :param directions: per column ``'asc'`` or ``'desc'``; overrides
        ``descending``.
    """
    if directions is None:
        directions = ['desc' if descending else 'asc'] * len(columns)
    order = [c.desc() if d == 'desc' else c.asc() for c, d in zip(columns, directions)]
    stmt = stmt.order_by(*order)
    if marker is not None:
        clauses = []
        for i, (column, direction) in enumerate(zip(columns, directions)):
            equal_before = [columns[j] == marker[j] for j in range(i)]
            after = column < marker[i] if direction == 'desc' else column > marker[i]
            clauses.append(sa.and_(*equal_before, after))
        stmt = stmt.where(sa.or_(*clauses))
    if limit is not None:
        stmt = stmt.limit(limit)
    return stmt


def marker_values(session, model, columns, marker_id):
    """The sort-column values of the row whose id is ``marker_id``.

    :raises BadRequest: when there is no such row, as OpenStack APIs answer.
    """
    row = session.execute(sa.select(*columns).where(model.id == marker_id)).first()
    if row is None:
        raise exceptions.BadRequest(f'Marker {marker_id} could not be found.')
    return tuple(row)
