"""Keyset pagination (``common/db/pagination.py``)."""
import datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from common import exceptions
from common.db import pagination
from common.db.session import Database


class Base(orm.DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = 'items'
    id: orm.Mapped[str] = orm.mapped_column(sa.String(8), primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(8))
    created: orm.Mapped[datetime.datetime] = orm.mapped_column(sa.DateTime)


T0 = datetime.datetime(2026, 1, 1)
# Names and times repeat, so only (name, created, id) orders every row.
ROWS = [('i%02d' % i, 'abc'[i % 3], T0 + datetime.timedelta(minutes=i % 4))
        for i in range(17)]


@pytest.fixture(scope='module')
def db():
    db = Database('sqlite://')
    Base.metadata.create_all(db.engine)
    with db.writer() as session:
        session.add_all(Item(id=i, name=n, created=c) for i, n, c in ROWS)
    yield db
    db.dispose()


def _walk(db, columns, limit, descending=False):
    """Every page, following markers, as a list of pages of ids."""
    pages, marker = [], None
    with db.reader() as session:
        while True:
            stmt = pagination.paginate(sa.select(Item), columns, limit=limit, marker=marker,
                                       descending=descending)
            page = list(session.execute(stmt).scalars())
            if not page:
                return pages
            pages.append([row.id for row in page])
            marker = pagination.marker_values(session, Item, columns, page[-1].id)


def _expected(key, reverse=False):
    return [r[0] for r in sorted(ROWS, key=key, reverse=reverse)]


@pytest.mark.parametrize('limit', [1, 2, 5, 16, 17, 100])
def test_multi_column_order_visits_every_row_once(db, limit):
    pages = _walk(db, [Item.name, Item.created, Item.id], limit)
    assert [i for page in pages for i in page] == _expected(lambda r: (r[1], r[2], r[0]))
    assert all(len(page) <= limit for page in pages)


@pytest.mark.parametrize('limit', [1, 3, 17])
def test_descending_order(db, limit):
    pages = _walk(db, [Item.created, Item.id], limit, descending=True)
    expected = _expected(lambda r: (r[2], r[0]), reverse=True)
    assert [i for page in pages for i in page] == expected


@pytest.mark.parametrize('limit', [1, 4, 17])
def test_mixed_directions(db, limit):
    """Newest first, then by id ascending: each column keeps its own direction."""
    pages, marker = [], None
    columns = [Item.created, Item.id]
    with db.reader() as session:
        while True:
            stmt = pagination.paginate(sa.select(Item), columns, limit=limit, marker=marker,
                                       directions=['desc', 'asc'])
            page = list(session.execute(stmt).scalars())
            if not page:
                break
            pages += [row.id for row in page]
            marker = pagination.marker_values(session, Item, columns, page[-1].id)
    expected = [r[0] for r in sorted(ROWS, key=lambda r: (-r[2].timestamp(), r[0]))]
    assert pages == expected


def test_single_column_order(db):
    pages = _walk(db, [Item.id], 4)
    assert pages[0] == ['i00', 'i01', 'i02', 'i03']
    assert [i for page in pages for i in page] == sorted(r[0] for r in ROWS)


def test_no_limit_returns_everything_after_the_marker(db):
    with db.reader() as session:
        marker = pagination.marker_values(session, Item, [Item.id], 'i14')
        stmt = pagination.paginate(sa.select(Item.id), [Item.id], marker=marker)
        assert list(session.execute(stmt).scalars()) == ['i15', 'i16']


def test_unknown_marker_is_a_400(db):
    with db.reader() as session:
        with pytest.raises(exceptions.BadRequest) as caught:
            pagination.marker_values(session, Item, [Item.id], 'nope')
    assert caught.value.code == 400
    assert 'nope' in caught.value.message
