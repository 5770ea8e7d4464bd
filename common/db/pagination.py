"""Keyset pagination of SELECT statements (marker/limit)."""
import sqlalchemy as sa

from common import exceptions


def paginate(stmt, columns, *, limit=None, marker=None, descending=False):
    """Order ``stmt`` by ``columns`` and return the page after ``marker``.

    :param columns: the columns that order the rows; the last one must be
        unique (normally the id), so every row has one place.
    :param marker: the values of ``columns`` in the row the previous page
        ended with, or ``None`` for the first page.
    :param descending: sort newest/largest first.
    """
    order = [c.desc() if descending else c.asc() for c in columns]
    stmt = stmt.order_by(*order)
    if marker is not None:
        compare = (lambda c, v: c < v) if descending else (lambda c, v: c > v)
        clauses = []
        for i, column in enumerate(columns):
            equal_before = [columns[j] == marker[j] for j in range(i)]
            clauses.append(sa.and_(*equal_before, compare(column, marker[i])))
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
