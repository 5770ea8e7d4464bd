"""The rules of snapshot policies: when they run and which snapshots they delete.

Snapshot policies are CloudStack's recurring snapshots (``createSnapshotPolicy``),
which Cinder lacks.  Stratus serves them at ``/v3/{project_id}/snapshot-policies``
under the JSON key ``snapshot_policy``; the API validates and stores them, the
conductor runs them.  Both share the rules in this module, which is pure: no
database, no clock (every function is given ``now`` or ``after``), so the
rules are tested with a shortened clock.

Fields (``volume.api.views.snapshot_policies`` renders them):

* ``volume_id``; ``interval_type``: ``hourly``, ``daily``, ``weekly`` or
  ``monthly``.  One policy per interval type per volume, as CloudStack.
  An update cannot change either (delete the policy and create another).
* ``schedule``, CloudStack's format, in the policy's local time:

  ========  ============  ================================================
  hourly    ``MM``        minute 0-59 of every hour
  daily     ``MM:HH``     minute, hour 0-23
  weekly    ``MM:HH:D``   D 1-7 = Sunday..Saturday (CloudStack's numbering)
  monthly   ``MM:HH:DD``  DD 1-31; see below
  ========  ============  ================================================

  CloudStack takes monthly days 1-28 only.  Stratus also takes 29-31 and
  runs on the month's last day when the month is shorter, so ``DD`` 31
  means "the last day of every month"; it still runs once a month.  Fields
  may have one or two digits and are stored with two (``5:2`` becomes
  ``05:02``), except the weekly day, which is one digit.
* ``timezone``: an IANA name (``Europe/Paris``), ``UTC`` when not given.
  ``localtime`` is refused: it would mean whatever zone the conductor's
  host has.
* ``max_snaps``: how many snapshots made by the policy to keep, 1 to
  ``MAX_SNAPS``.  CloudStack caps each interval type at 8 by default
  (``snapshot.max.*``); Stratus allows a week of hourly snapshots, since the
  project's snapshot quota is the real limit.
* ``enabled`` (default true); ``next_run_at`` (null while disabled) and
  ``last_run_at`` are kept by the API and the conductor.

Daylight saving time.  The schedule is local wall-clock time, so:

* a local time that a spring-forward skips runs at the first valid instant
  after the gap: 02:30 in Europe/Paris on the last Sunday of March runs at
  03:00 CEST.  An hourly policy therefore runs twice within an hour that day
  (03:00 and 03:30);
* a local time that a fall-back repeats runs once, at its first occurrence
  (01:30 EDT, not 01:30 EST, in America/New_York).  An hourly policy skips
  the repeated hour.

Missed runs.  The conductor keeps ``next_run_at`` per policy and calls
``plan`` on each pass.  When ``next_run_at`` has passed, ``plan`` asks for ONE
snapshot and schedules the following run from ``now``, not from the missed
instant: a conductor down for three days makes one snapshot of an hourly
policy when it comes back, not 72.  The API calls ``plan(policy, None, now)``
on create and whenever ``schedule``, ``timezone`` or ``enabled`` change, so a
policy never catches up on runs from before it was (re-)enabled.

Times are aware datetimes; results are in UTC.  The database keeps naive UTC
(``common.db.types``): callers add ``tzinfo=UTC`` to what they read.
"""
import calendar
import collections.abc
import dataclasses
import datetime
import functools
import re
import zoneinfo

from volume import states

UTC = datetime.timezone.utc
INTERVAL_TYPES = ('hourly', 'daily', 'weekly', 'monthly')
MAX_SNAPS = 168
DEFAULT_TIMEZONE = 'UTC'

# A snapshot in any other state is busy (creating, deleting, backing-up...)
# and is neither deleted nor counted against max_snaps.
PRUNABLE_STATUSES = (states.SNAPSHOT_AVAILABLE, states.SNAPSHOT_ERROR)

_FORMATS = {'hourly': 'MM', 'daily': 'MM:HH', 'weekly': 'MM:HH:D', 'monthly': 'MM:HH:DD'}
_DAYS = {'weekly': (7, 'the day of the week must be 1-7 (1 is Sunday)'),
         'monthly': (31, 'the day of the month must be 1-31')}
_FIELD = re.compile(r'[0-9]{1,2}')
_HOUR = datetime.timedelta(hours=1)
_DAY = datetime.timedelta(days=1)
_WEEK = datetime.timedelta(days=7)


class InvalidPolicy(ValueError):
    """A well-formed policy whose values make no sense; the API answers 400."""


@dataclasses.dataclass(frozen=True)
class Policy:
    """A validated snapshot policy: its schedule parsed, its values canonical.

    ``hour`` is 0 for hourly policies and ``day`` is 0 for hourly and daily
    ones; ``day`` of a weekly policy counts 1 (Sunday) to 7 (Saturday).
    """
    interval_type: str
    minute: int
    hour: int
    day: int
    timezone: str
    max_snaps: int
    enabled: bool

    @property
    def schedule(self):
        """The canonical schedule string (``MM``, ``MM:HH``, ``MM:HH:D``, ``MM:HH:DD``)."""
        fields = [f'{self.minute:02d}']
        if self.interval_type != 'hourly':
            fields.append(f'{self.hour:02d}')
        if self.interval_type == 'weekly':
            fields.append(str(self.day))
        elif self.interval_type == 'monthly':
            fields.append(f'{self.day:02d}')
        return ':'.join(fields)

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.timezone)

    def values(self):
        """The policy's stored fields: what the API writes, and merges updates into."""
        return {'interval_type': self.interval_type, 'schedule': self.schedule,
                'timezone': self.timezone, 'max_snaps': self.max_snaps,
                'enabled': self.enabled}


@dataclasses.dataclass(frozen=True)
class Tick:
    """What the conductor does for one policy on one pass (see ``plan``)."""
    snapshot: bool
    next_run_at: datetime.datetime | None


def _get(policy, name, default=None):
    if isinstance(policy, collections.abc.Mapping):
        return policy.get(name, default)
    return getattr(policy, name, default)


@functools.cache
def _known_zones():
    return frozenset(zoneinfo.available_timezones()) - {'localtime'}


def _timezone(name):
    if not isinstance(name, str) or name not in _known_zones():
        raise InvalidPolicy(f'Unknown time zone {name!r}: use an IANA name such as '
                            f"'Europe/Paris' or 'UTC'.")
    return name


def _schedule(interval_type, schedule):
    """``(minute, hour, day)`` of ``schedule``, checked against ``interval_type``."""
    expected = _FORMATS[interval_type]
    parts = schedule.split(':') if isinstance(schedule, str) else []
    if len(parts) != expected.count(':') + 1 or not all(_FIELD.fullmatch(p) for p in parts):
        raise InvalidPolicy(f'Invalid schedule {schedule!r}: a {interval_type} policy '
                            f"takes '{expected}'.")
    numbers = [int(p) for p in parts] + [0] * (3 - len(parts))
    minute, hour, day = numbers
    if minute > 59:
        raise InvalidPolicy(f'Invalid schedule {schedule!r}: the minute must be 0-59.')
    if hour > 23:
        raise InvalidPolicy(f'Invalid schedule {schedule!r}: the hour must be 0-23.')
    if interval_type in _DAYS:
        last, rule = _DAYS[interval_type]
        if not 1 <= day <= last:
            raise InvalidPolicy(f'Invalid schedule {schedule!r}: {rule}.')
    return minute, hour, day


def _max_snaps(value):
    # NOTE: JSON Schema's "integer" also accepts 3.0.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SNAPS:
        raise InvalidPolicy(f'max_snaps must be an integer from 1 to {MAX_SNAPS}, '
                            f'not {value!r}.')
    return value


def parse(fields):
    """Validate a policy and put it in canonical form.

    :param fields: a mapping or a row with ``interval_type``, ``schedule``,
        ``max_snaps`` and optionally ``timezone`` (default UTC) and
        ``enabled`` (default true): a create body, a stored row, or for an
        update ``{**parse(row).values(), **changes}``.
    :returns: a ``Policy``.
    :raises InvalidPolicy: naming the field and the rule it breaks.
    """
    interval_type = _get(fields, 'interval_type')
    if interval_type not in INTERVAL_TYPES:
        raise InvalidPolicy(f'interval_type must be one of {", ".join(INTERVAL_TYPES)}, '
                            f'not {interval_type!r}.')
    minute, hour, day = _schedule(interval_type, _get(fields, 'schedule'))
    enabled = _get(fields, 'enabled', True)
    if not isinstance(enabled, bool):
        raise InvalidPolicy(f'enabled must be true or false, not {enabled!r}.')
    return Policy(interval_type=interval_type, minute=minute, hour=hour, day=day,
                  timezone=_timezone(_get(fields, 'timezone', DEFAULT_TIMEZONE)),
                  max_snaps=_max_snaps(_get(fields, 'max_snaps')), enabled=enabled)


def _require_aware(value, name):
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f'{name} must be an aware datetime, not {value!r}.')


def _walls(policy, local):
    """The policy's local wall-clock times, from the period that holds ``local`` on."""
    minute, hour = policy.minute, policy.hour
    if policy.interval_type == 'hourly':
        wall = local.replace(minute=minute, second=0, microsecond=0)
        while True:
            yield wall
            wall += _HOUR
    at = datetime.time(hour, minute)
    if policy.interval_type == 'daily':
        day = local.date()
        while True:
            yield datetime.datetime.combine(day, at)
            day += _DAY
    if policy.interval_type == 'weekly':
        # Python counts Monday 0 .. Sunday 6; CloudStack Sunday 1 .. Saturday 7.
        weekday = (policy.day - 2) % 7
        day = local.date() - datetime.timedelta(days=(local.weekday() - weekday) % 7)
        while True:
            yield datetime.datetime.combine(day, at)
            day += _WEEK
    year, month = local.year, local.month
    while True:
        last = calendar.monthrange(year, month)[1]
        yield datetime.datetime(year, month, min(policy.day, last), hour, minute)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _instant(wall, zone):
    """The UTC instant at which the local wall-clock time ``wall`` comes.

    An ambiguous time (a fall-back repeats it) comes first with ``fold=0``;
    a nonexistent one (a spring-forward skips it) comes when the gap ends.
    """
    instant = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    # In a gap, fold=0 applies the offset from before the change and fold=1
    # the one after: one instant falls before the change and one after it.
    # Search the seconds between them for the change itself.
    bounds = sorted(wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))
    low, high = (int(b.timestamp()) for b in bounds)
    offset_after = bounds[1].astimezone(zone).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.datetime.fromtimestamp(middle, zone).utcoffset() == offset_after:
            high = middle
        else:
            low = middle
    return datetime.datetime.fromtimestamp(high, UTC)


def next_run(policy, after):
    """The first instant of ``policy``'s schedule strictly after ``after``, in UTC.

    :param policy: a ``Policy``.
    :param after: an aware datetime.
    """
    _require_aware(after, 'after')
    zone = policy.zone
    local = after.astimezone(zone).replace(tzinfo=None, fold=0)
    # Wall times map to instants in order (see _instant), so none before the
    # period that holds ``local`` can come after ``after``.
    for wall in _walls(policy, local):
        instant = _instant(wall, zone)
        if instant > after:
            return instant


def due(policy, next_run_at, now):
    """Whether ``policy`` should take a snapshot at ``now``."""
    _require_aware(now, 'now')
    if not policy.enabled or next_run_at is None:
        return False
    _require_aware(next_run_at, 'next_run_at')
    return next_run_at <= now


def plan(policy, next_run_at, now):
    """What to do for ``policy`` at ``now``, given its stored ``next_run_at``.

    * Disabled: nothing, and no next run.
    * Enabled without a next run (new or re-enabled): schedule the first.
    * Due, however long ago: ONE snapshot, and the next run after ``now``.
    * Not yet due: nothing; ``next_run_at`` stays.

    The conductor stores the returned ``next_run_at`` with a conditional
    UPDATE on the one it read, so that two conductors never both run it.
    """
    if not policy.enabled:
        return Tick(snapshot=False, next_run_at=None)
    if next_run_at is None:
        return Tick(snapshot=False, next_run_at=next_run(policy, now))
    if due(policy, next_run_at, now):
        return Tick(snapshot=True, next_run_at=next_run(policy, now))
    return Tick(snapshot=False, next_run_at=next_run_at)


def to_prune(snapshots, max_snaps):
    """Ids of the snapshots a policy must delete to keep ``max_snaps``, first to delete first.

    Only ``available`` and ``error`` snapshots count and may go: one still
    creating (or busy otherwise) is left alone.  Beyond the limit, snapshots
    in ``error`` go first, then the oldest (by ``created_at``, then ``id``),
    so a failed run never costs a good snapshot.

    :param snapshots: mappings or rows with ``id``, ``status`` and
        ``created_at``, all made by the policy.
    :param max_snaps: how many to keep, at least 1.
    """
    if max_snaps < 1:
        raise ValueError(f'max_snaps must be at least 1, not {max_snaps!r}.')
    kept = [s for s in snapshots if _get(s, 'status') in PRUNABLE_STATUSES]
    excess = len(kept) - max_snaps
    if excess <= 0:
        return []
    kept.sort(key=lambda s: (_get(s, 'status') != states.SNAPSHOT_ERROR,
                             _get(s, 'created_at'), _get(s, 'id')))
    return [_get(s, 'id') for s in kept[:excess]]

