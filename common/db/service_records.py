"""Service records: where conductors and agents prove they are alive.

Each service with a conductor keeps a ``services`` table built from
``ServiceRecordMixin``; its conductor (for itself and for the agents that
report to it) calls ``record_heartbeat``, and the APIs show ``is_up``.
"""
import datetime

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy import orm

from common.db.types import UtcDateTime, utcnow


class ServiceRecordMixin:
    """Columns of one (host, binary) service record."""

    @orm.declared_attr.directive
    def __table_args__(cls):
        return (sa.UniqueConstraint('host', 'binary', name=f'uniq_{cls.__tablename__}_host_binary'),)

    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    host: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    binary: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    topic: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    report_count: orm.Mapped[int] = orm.mapped_column(sa.Integer, default=0)
    disabled: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=False)
    disabled_reason: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    forced_down: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=False)
    last_seen_up: orm.Mapped[datetime.datetime | None] = orm.mapped_column(UtcDateTime)
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(UtcDateTime, default=utcnow)
    updated_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        UtcDateTime, default=utcnow, onupdate=utcnow)


def record_heartbeat(session, model, host, binary, topic=None):
    """Mark (``host``, ``binary``) alive now, creating its record on first sight."""
    stmt = sa.select(model).where(model.host == host, model.binary == binary)
    record = session.execute(stmt).scalar_one_or_none()
    if record is None:
        try:
            # Two first heartbeats may race: the loser finds the winner's row.
            with session.begin_nested():
                record = model(host=host, binary=binary, topic=topic, report_count=0)
                session.add(record)
        except sa_exc.IntegrityError:
            record = session.execute(stmt).scalar_one()
    record.report_count = (record.report_count or 0) + 1
    record.last_seen_up = utcnow()
    return record


def effective_down_time(report_interval, service_down_time):
    """``service_down_time``, but never less than 2.5 heartbeats."""
    return max(service_down_time, 2.5 * report_interval)


def is_up(record, report_interval, service_down_time, now=None):
    if record.forced_down or record.last_seen_up is None:
        return False
    now = now or utcnow()
    limit = effective_down_time(report_interval, service_down_time)
    return (now - record.last_seen_up).total_seconds() <= limit
