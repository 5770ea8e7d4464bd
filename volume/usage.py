"""What a project's volumes and snapshots occupied over a period, in GB-hours.

Rows are soft-deleted (``deleted_at`` set, never removed), so a volume or
snapshot that existed at any time in the period is still there to count:
each counts its size in GiB times the hours between its ``created_at``
and its ``deleted_at`` (now, if it still exists), clipped to the period.
A volume counts its current size for all of its life: extends are not
recorded with a date, so an extended volume is counted at its new size
from its creation (an upper bound, never an undercount).
"""
import dataclasses
import datetime

import sqlalchemy as sa
from oslo_utils import timeutils

from common.db.types import utcnow
from volume import exceptions as vol_exc
from volume.db import models as m

HOUR = datetime.timedelta(hours=1)


@dataclasses.dataclass(frozen=True)
class Period:
    start: datetime.datetime
    end: datetime.datetime


def _parse(name, value):
    if value is None or not value.strip():
        raise vol_exc.InvalidInput(reason=f"The '{name}' query parameter is required "
                                          '(an ISO 8601 date and time).')
    try:
        parsed = timeutils.parse_isotime(value.strip())
        # In UTC, a date at the edge of the calendar (0001-01-01T00:00+05:00) overflows.
        return parsed.replace(tzinfo=datetime.timezone.utc) if parsed.tzinfo is None \
            else parsed.astimezone(datetime.timezone.utc)
    except (ValueError, OverflowError):
        raise vol_exc.InvalidInput(reason=f"'{name}' is not an ISO 8601 date and time: "
                                          f'{value}') from None


def period(start, end):
    """The period of the query parameters ``start`` and ``end`` (naive ones are UTC).

    :raises InvalidInput: (400) a missing or unreadable date, or ``end``
        not after ``start``.
    """
    period_ = Period(_parse('start', start), _parse('end', end))
    if period_.end <= period_.start:
        raise vol_exc.InvalidInput(reason="'end' must be after 'start'.")
    return period_


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def _gb_hours(rows, period_, now):
    """Sum of ``size * hours`` of ``(size, created_at, deleted_at)`` within the period."""
    total = 0.0
    for size, created_at, deleted_at in rows:
        begin = max(period_.start, _aware(created_at))
        finish = min(period_.end, _aware(deleted_at) if deleted_at else now)
        if finish > begin:
            total += size * ((finish - begin) / HOUR)
    return total


def _overlapping(model, size_column, project_id, period_):
    return (sa.select(size_column, model.created_at, model.deleted_at)
            .where(model.project_id == project_id, model.created_at < period_.end,
                   sa.or_(model.deleted_at.is_(None), model.deleted_at > period_.start)))


def usage(session, project_id, period_):
    """The body of ``GET /os-usage/{project_id}``: GB-hours of volumes and snapshots."""
    now = utcnow()
    volumes = session.execute(_overlapping(m.Volume, m.Volume.size, project_id, period_))
    snapshots = session.execute(_overlapping(m.Snapshot, m.Snapshot.volume_size, project_id,
                                             period_))
    return {'project_id': project_id,
            'start': period_.start.isoformat(), 'end': period_.end.isoformat(),
            'volume_gb_hours': _gb_hours(volumes, period_, _aware(now)),
            'snapshot_gb_hours': _gb_hours(snapshots, period_, _aware(now))}
