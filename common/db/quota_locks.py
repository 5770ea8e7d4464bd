"""Quota lock rows: serialise a quota's check-then-insert between requests.

A service counts usage from its tables and inserts the new rows in the
same transaction; while it does, it holds the row of its ``QuotaLock``
table for the owner (a project, a user, a project and a resource), so two
concurrent creates of one owner run one after the other and cannot
together exceed a limit.  The lock tables differ only in their key
columns, hence ``**key``.
"""
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common.db.session import is_duplicate_entry


def lock(session, model, **key):
    """Lock the ``model`` row of ``key`` until the transaction ends (create it first).

    On MariaDB and PostgreSQL ``FOR UPDATE`` makes every other lock of the
    same key wait; on SQLite the writer transaction (``BEGIN IMMEDIATE``)
    already serialises writers.

    :param model: the service's ``QuotaLock`` model, whose primary key is
        exactly the columns named in ``key``.
    :param key: ``{column: value}``, e.g. ``project_id=…, resource='port'``.
    """
    stmt = sa.select(*(getattr(model, column) for column in key)).where(
        *(getattr(model, column) == value for column, value in key.items()))
    if session.execute(stmt.with_for_update()).first() is None:
        _create(session, model, key)
        session.execute(stmt.with_for_update()).one()


def _create(session, model, key):
    """Insert the lock row, unless another request just did.

    On MariaDB and PostgreSQL the row is committed at once, in a transaction
    of its own: inserted by the request's transaction it would vanish if that
    transaction rolled back (a refused request), and the requests waiting on
    that uncommitted insert would deadlock against each other.  On SQLite the
    request's transaction is the only writer: it inserts the row itself.
    """
    bind = session.get_bind()
    try:
        if bind.dialect.name == 'sqlite':
            with session.begin_nested():
                session.add(model(**key))
        else:
            with bind.connect() as connection, connection.begin():
                connection.execute(sa.insert(model).values(**key))
    except sa_exc.IntegrityError as error:
        if not is_duplicate_entry(error):
            raise
