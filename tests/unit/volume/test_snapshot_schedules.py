"""Snapshot policy rules (volume.snapshot_schedules), on a clock the tests hold."""
import datetime
import types
import zoneinfo

import pytest

from common import exceptions
from common.wsgi import validation
from volume import snapshot_schedules as ss
from volume.api.schemas import snapshot_policies as schemas

UTC = datetime.timezone.utc
MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def policy(interval_type='hourly', schedule='00', timezone='UTC', max_snaps=8, enabled=True):
    return ss.parse({'interval_type': interval_type, 'schedule': schedule,
                     'timezone': timezone, 'max_snaps': max_snaps, 'enabled': enabled})


def local(instant, zone):
    """The naive local wall-clock time of ``instant`` in ``zone``."""
    return instant.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)


def runs(p, start, end):
    """Every scheduled instant of ``p`` in (start, end]."""
    found, at = [], ss.next_run(p, start)
    while at <= end:
        found.append(at)
        at = ss.next_run(p, at)
    return found


# --- parse -----------------------------------------------------------------

@pytest.mark.parametrize('interval_type, schedule, canonical, fields', [
    ('hourly', '5', '05', (5, 0, 0)),
    ('hourly', '59', '59', (59, 0, 0)),
    ('daily', '5:2', '05:02', (5, 2, 0)),
    ('daily', '00:23', '00:23', (0, 23, 0)),
    ('weekly', '0:3:1', '00:03:1', (0, 3, 1)),
    ('weekly', '30:12:07', '30:12:7', (30, 12, 7)),
    ('monthly', '30:23:31', '30:23:31', (30, 23, 31)),
    ('monthly', '0:0:1', '00:00:01', (0, 0, 1)),
])
def test_valid_schedules_are_stored_in_canonical_form(interval_type, schedule, canonical, fields):
    p = policy(interval_type, schedule)
    assert p.schedule == canonical
    assert (p.minute, p.hour, p.day) == fields
    assert ss.parse(p.values()) == p


def test_timezone_defaults_to_utc_and_enabled_to_true():
    p = ss.parse({'interval_type': 'daily', 'schedule': '00:01', 'max_snaps': 3})
    assert p.values() == {'interval_type': 'daily', 'schedule': '00:01', 'timezone': 'UTC',
                          'max_snaps': 3, 'enabled': True}


def test_a_row_parses_like_a_mapping():
    row = types.SimpleNamespace(interval_type='weekly', schedule='15:04:2', timezone='Asia/Tokyo',
                                max_snaps=4, enabled=False)
    assert ss.parse(row) == policy('weekly', '15:04:2', 'Asia/Tokyo', 4, False)


@pytest.mark.parametrize('interval_type, schedule, message', [
    ('hourly', '60', 'the minute must be 0-59'),
    ('hourly', '05:10', "a hourly policy takes 'MM'"),
    ('daily', '10', "a daily policy takes 'MM:HH'"),
    ('daily', '00:24', 'the hour must be 0-23'),
    ('daily', '99:00', 'the minute must be 0-59'),
    ('weekly', '00:10', "takes 'MM:HH:D'"),
    ('weekly', '00:10:0', r'day of the week must be 1-7 \(1 is Sunday\)'),
    ('weekly', '00:10:8', 'day of the week must be 1-7'),
    ('monthly', '00:10:0', 'day of the month must be 1-31'),
    ('monthly', '00:10:32', 'day of the month must be 1-31'),
    ('monthly', '00:10:1:1', "takes 'MM:HH:DD'"),
    ('hourly', '', "takes 'MM'"),
    ('hourly', 'ab', "takes 'MM'"),
    ('hourly', '-1', "takes 'MM'"),
    ('hourly', '100', "takes 'MM'"),
    ('hourly', '5\n', "takes 'MM'"),
    ('hourly', '\u0665', "takes 'MM'"),   # an Arabic-Indic five is a digit, but not ours
    ('daily', '1::2', "takes 'MM:HH'"),
    ('hourly', None, "takes 'MM'"),
    ('hourly', 5, "takes 'MM'"),
])
def test_bad_schedules_are_refused_with_the_rule(interval_type, schedule, message):
    with pytest.raises(ss.InvalidPolicy, match=message):
        policy(interval_type, schedule)


@pytest.mark.parametrize('interval_type', ['yearly', 'HOURLY', '', None])
def test_unknown_interval_types_are_refused(interval_type):
    with pytest.raises(ss.InvalidPolicy, match='interval_type must be one of hourly, daily'):
        policy(interval_type, '00')


@pytest.mark.parametrize('zone', ['Mars/Olympus_Mons', 'europe/paris', 'localtime',
                                  '../etc/passwd', '/etc/localtime', 'Europe', '', None,
                                  'Europe/Paris\n'])
def test_unknown_time_zones_are_refused(zone):
    with pytest.raises(ss.InvalidPolicy, match='Unknown time zone'):
        policy(timezone=zone)


@pytest.mark.parametrize('zone', ['UTC', 'Europe/Paris', 'America/New_York',
                                  'Australia/Lord_Howe', 'Asia/Kolkata'])
def test_iana_time_zones_are_accepted(zone):
    assert policy(timezone=zone).zone == zoneinfo.ZoneInfo(zone)


@pytest.mark.parametrize('value', [0, -1, ss.MAX_SNAPS + 1, True, '3', 2.5, float('nan'),
                                   float('inf'), None])
def test_max_snaps_out_of_range_or_not_an_integer_is_refused(value):
    message = f'max_snaps must be an integer from 1 to {ss.MAX_SNAPS}'
    with pytest.raises(ss.InvalidPolicy, match=message):
        policy(max_snaps=value)


def test_max_snaps_bounds_and_integral_floats():
    assert policy(max_snaps=1).max_snaps == 1
    assert policy(max_snaps=ss.MAX_SNAPS).max_snaps == ss.MAX_SNAPS
    kept = policy(max_snaps=3.0).max_snaps
    assert kept == 3 and type(kept) is int


def test_enabled_must_be_a_boolean():
    with pytest.raises(ss.InvalidPolicy, match="enabled must be true or false, not 'yes'"):
        policy(enabled='yes')


def test_an_update_is_checked_against_the_stored_interval_type():
    stored = policy('daily', '00:02').values()
    assert ss.parse({**stored, 'schedule': '30:04'}).schedule == '30:04'
    with pytest.raises(ss.InvalidPolicy, match="a daily policy takes 'MM:HH'"):
        ss.parse({**stored, 'schedule': '30:04:1'})


def test_invalid_policy_is_a_value_error():
    assert issubclass(ss.InvalidPolicy, ValueError)


# --- request schemas -----------------------------------------------------------

def create_body(**fields):
    body = {'volume_id': '6a3b9e3c-1e0a-4bd6-9e47-1d1b1b0c7f00', 'interval_type': 'daily',
            'schedule': '30:02', 'timezone': 'Europe/Paris', 'max_snaps': 7, 'enabled': True}
    body.update(fields)
    return {'snapshot_policy': {k: v for k, v in body.items() if v is not ...}}


def test_schemas_accept_full_and_minimal_bodies():
    validation.validate(create_body(), schemas.create)
    validation.validate(create_body(timezone=..., enabled=...), schemas.create)
    validation.validate({'snapshot_policy': {'max_snaps': 2}}, schemas.update)
    validation.validate({'snapshot_policy': {'schedule': '1:2', 'timezone': 'UTC',
                                             'enabled': False, 'max_snaps': 1}}, schemas.update)


@pytest.mark.parametrize('body, field', [
    (create_body(volume_id=...), 'volume_id'),
    (create_body(interval_type=...), 'interval_type'),
    (create_body(schedule=...), 'schedule'),
    (create_body(max_snaps=...), 'max_snaps'),
    (create_body(interval_type='yearly'), 'interval_type'),
    (create_body(schedule='2am'), 'schedule'),
    (create_body(schedule='1:2:3:4'), 'schedule'),
    (create_body(schedule=230), 'schedule'),
    (create_body(timezone='Europe/../Paris'), 'timezone'),
    (create_body(timezone=None), 'timezone'),
    (create_body(max_snaps=0), 'max_snaps'),
    (create_body(max_snaps=ss.MAX_SNAPS + 1), 'max_snaps'),
    (create_body(max_snaps='3'), 'max_snaps'),
    (create_body(enabled='true'), 'enabled'),
    (create_body(name='nightly'), 'snapshot_policy'),
    ({'snapshot_policies': {}}, 'snapshot_policy'),
])
def test_create_schema_refuses_bad_shapes(body, field):
    with pytest.raises(exceptions.ValidationError, match=field):
        validation.validate(body, schemas.create)


@pytest.mark.parametrize('changes', [{}, {'interval_type': 'hourly'},
                                     {'volume_id': '6a3b9e3c-1e0a-4bd6-9e47-1d1b1b0c7f00'},
                                     {'max_snaps': 0}])
def test_update_schema_refuses_empty_bodies_and_fixed_fields(changes):
    with pytest.raises(exceptions.ValidationError):
        validation.validate({'snapshot_policy': changes}, schemas.update)


def test_well_shaped_but_meaningless_values_are_left_to_parse():
    body = create_body(schedule='75:02', timezone='Nowhere/Atlantis')
    validation.validate(body, schemas.create)
    with pytest.raises(ss.InvalidPolicy, match='the minute must be 0-59'):
        ss.parse(body['snapshot_policy'])


# --- next_run -----------------------------------------------------------------

def test_next_run_is_strictly_after():
    p = policy('hourly', '05')
    assert ss.next_run(p, utc(2026, 1, 5, 10, 4, 59)) == utc(2026, 1, 5, 10, 5)
    assert ss.next_run(p, utc(2026, 1, 5, 10, 5)) == utc(2026, 1, 5, 11, 5)
    assert ss.next_run(p, utc(2026, 1, 5, 10, 5, 0, 1)) == utc(2026, 1, 5, 11, 5)
    assert ss.next_run(p, utc(2026, 1, 5, 23, 30)) == utc(2026, 1, 6, 0, 5)


def test_next_run_accepts_any_zone_and_answers_in_utc():
    p = policy('daily', '30:02', 'Europe/Paris')
    after = datetime.datetime(2026, 1, 5, 12, 0, tzinfo=zoneinfo.ZoneInfo('Asia/Tokyo'))
    result = ss.next_run(p, after)
    assert result == utc(2026, 1, 6, 1, 30) and result.tzinfo is UTC


def test_next_run_refuses_naive_times():
    with pytest.raises(ValueError, match='aware'):
        ss.next_run(policy(), datetime.datetime(2026, 1, 5))


def test_daily_runs_at_local_time():
    p = policy('daily', '45:23', 'Asia/Kolkata')   # UTC+05:30
    assert runs(p, utc(2026, 1, 5), utc(2026, 1, 8)) == [
        utc(2026, 1, 5, 18, 15), utc(2026, 1, 6, 18, 15), utc(2026, 1, 7, 18, 15)]


@pytest.mark.parametrize('day, expected', [
    (1, utc(2026, 1, 11, 3)),    # Sunday
    (2, utc(2026, 1, 12, 3)),    # Monday
    (4, utc(2026, 1, 7, 3)),     # Wednesday, later the same day
    (5, utc(2026, 1, 8, 3)),     # Thursday
    (7, utc(2026, 1, 10, 3)),    # Saturday
])
def test_weekly_days_count_from_sunday(day, expected):
    # Wednesday 7 January 2026, 01:00 UTC.
    assert ss.next_run(policy('weekly', f'00:03:{day}'), utc(2026, 1, 7, 1)) == expected


def test_weekly_after_this_weeks_run_is_next_week():
    p = policy('weekly', '00:03:4')
    assert ss.next_run(p, utc(2026, 1, 7, 3)) == utc(2026, 1, 14, 3)
    assert len(runs(p, utc(2026, 1, 1), utc(2026, 12, 31))) == 52


def test_monthly_day_31_is_the_last_day_of_shorter_months():
    p = policy('monthly', '00:00:31')
    assert [r.date() for r in runs(p, utc(2025, 12, 31), utc(2026, 12, 31))] == [
        datetime.date(2026, m, d) for m, d in [(1, 31), (2, 28), (3, 31), (4, 30), (5, 31),
                                               (6, 30), (7, 31), (8, 31), (9, 30), (10, 31),
                                               (11, 30), (12, 31)]]


def test_monthly_day_29_in_leap_and_common_years():
    p = policy('monthly', '00:12:29')
    assert ss.next_run(p, utc(2028, 2, 1)) == utc(2028, 2, 29, 12)
    assert ss.next_run(p, utc(2027, 2, 1)) == utc(2027, 2, 28, 12)
    # Clamped in February, back to the 29th in March: still once a month.
    assert ss.next_run(p, utc(2027, 2, 28, 12)) == utc(2027, 3, 29, 12)


def test_monthly_crosses_the_year():
    p = policy('monthly', '15:06:01', 'America/New_York')
    assert ss.next_run(p, utc(2026, 12, 15)) == utc(2027, 1, 1, 11, 15)


def test_monthly_run_on_the_first_in_a_zone_ahead_of_utc():
    # 1 February 00:30 in Tokyo is still 31 January in UTC.
    p = policy('monthly', '30:00:01', 'Asia/Tokyo')
    assert ss.next_run(p, utc(2026, 1, 31, 12)) == utc(2026, 1, 31, 15, 30)


# Daylight saving time, with real zones.

def test_paris_spring_forward_moves_a_skipped_time_to_the_end_of_the_gap():
    p = policy('daily', '30:02', 'Europe/Paris')
    assert runs(p, utc(2026, 3, 27, 12), utc(2026, 3, 30, 12)) == [
        utc(2026, 3, 28, 1, 30),   # 02:30 CET
        utc(2026, 3, 29, 1, 0),    # 02:30 does not exist: 03:00 CEST
        utc(2026, 3, 30, 0, 30),   # 02:30 CEST
    ]
    assert local(utc(2026, 3, 29, 1, 0), 'Europe/Paris') == datetime.datetime(2026, 3, 29, 3, 0)


def test_paris_fall_back_runs_an_ambiguous_time_once_at_its_first_occurrence():
    p = policy('daily', '30:02', 'Europe/Paris')
    assert runs(p, utc(2026, 10, 24, 12), utc(2026, 10, 26, 12)) == [
        utc(2026, 10, 25, 0, 30),  # 02:30 CEST; 02:30 CET an hour later does not run
        utc(2026, 10, 26, 1, 30),  # 02:30 CET
    ]
    # Between the two occurrences, the next run is tomorrow's.
    assert ss.next_run(p, utc(2026, 10, 25, 1, 0)) == utc(2026, 10, 26, 1, 30)


def test_new_york_spring_forward_and_fall_back():
    skipped = policy('daily', '30:02', 'America/New_York')
    assert ss.next_run(skipped, utc(2026, 3, 8)) == utc(2026, 3, 8, 7)   # 03:00 EDT
    repeated = policy('daily', '30:01', 'America/New_York')
    assert runs(repeated, utc(2026, 11, 1), utc(2026, 11, 2, 12)) == [
        utc(2026, 11, 1, 5, 30),   # 01:30 EDT, not 01:30 EST (06:30Z)
        utc(2026, 11, 2, 6, 30),
    ]


def test_new_york_hourly_on_the_short_and_the_long_day():
    p = policy('hourly', '30', 'America/New_York')
    short = runs(p, utc(2026, 3, 8, 5), utc(2026, 3, 9, 4))       # local 8 March, 23 hours
    assert len(short) == 24
    assert [local(r, 'America/New_York').time() for r in short[1:4]] == [
        datetime.time(1, 30), datetime.time(3, 0), datetime.time(3, 30)]
    long = runs(p, utc(2026, 11, 1, 4), utc(2026, 11, 2, 5))      # local 1 November, 25 hours
    assert len(long) == 24
    assert long[1:3] == [utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 7, 30)]   # 01:30 EDT, 02:30 EST


def test_hourly_on_the_hour_never_runs_twice_at_one_instant():
    # 02:00 is skipped and moves to 03:00, which is also the 03:00 run: one snapshot.
    p = policy('hourly', '00', 'Europe/Paris')
    found = runs(p, utc(2026, 3, 28, 23), utc(2026, 3, 29, 3))
    assert found == [utc(2026, 3, 29, 0), utc(2026, 3, 29, 1), utc(2026, 3, 29, 2),
                     utc(2026, 3, 29, 3)]


def test_lord_howe_half_hour_changes():
    # Standard time +10:30; daylight time +11:00 from 02:00 on the first
    # Sunday of October (clocks go to 02:30) to 02:00 on the first Sunday of
    # April (clocks go back to 01:30).
    skipped = policy('daily', '15:02', 'Australia/Lord_Howe')
    assert ss.next_run(skipped, utc(2026, 10, 3, 12)) == utc(2026, 10, 3, 15, 30)
    assert local(utc(2026, 10, 3, 15, 30), 'Australia/Lord_Howe') == \
        datetime.datetime(2026, 10, 4, 2, 30)
    repeated = policy('daily', '45:01', 'Australia/Lord_Howe')
    assert runs(repeated, utc(2026, 4, 4, 12), utc(2026, 4, 5, 16)) == [
        utc(2026, 4, 4, 14, 45),   # 01:45 at +11:00, not 01:45 at +10:30 (15:15Z)
        utc(2026, 4, 5, 15, 15),
    ]


def test_a_skipped_day_runs_when_the_day_after_begins():
    # Samoa skipped 30 December 2011 when it crossed the date line.
    p = policy('daily', '00:10', 'Pacific/Apia')
    assert runs(p, utc(2011, 12, 29), utc(2011, 12, 31, 12)) == [
        utc(2011, 12, 29, 20),     # 29 December 10:00 at -10:00
        utc(2011, 12, 30, 10),     # 30 December never came: 31 December 00:00 at +14:00
        utc(2011, 12, 30, 20),     # 31 December 10:00
    ]


@pytest.mark.parametrize('zone', ['UTC', 'Europe/Paris', 'America/New_York',
                                  'Australia/Lord_Howe'])
@pytest.mark.parametrize('interval_type, schedule', [
    ('hourly', '30'), ('daily', '30:02'), ('weekly', '30:02:1'), ('monthly', '30:02:31')])
def test_runs_are_increasing_and_at_the_scheduled_local_time(zone, interval_type, schedule):
    p = policy(interval_type, schedule, zone)
    found = runs(p, utc(2026, 1, 1), utc(2027, 1, 1) if interval_type != 'hourly'
                 else utc(2026, 4, 15))
    assert found == sorted(set(found))
    on_time = [r for r in found if local(r, zone).minute == 30 and
               (interval_type == 'hourly' or local(r, zone).hour == 2)]
    # Only the spring-forward run (if any) is moved off the scheduled time.
    assert len(found) - len(on_time) <= 1
    for r in found:
        # Between runs nothing is scheduled.
        assert ss.next_run(p, r - MINUTE) == r


# --- due and plan --------------------------------------------------------------

def test_due():
    p = policy()
    at = utc(2026, 1, 5, 10)
    assert not ss.due(p, at, at - MINUTE)
    assert ss.due(p, at, at)
    assert ss.due(p, at, at + 3 * DAY)
    assert not ss.due(p, None, at)
    assert not ss.due(policy(enabled=False), at, at + HOUR)
    with pytest.raises(ValueError, match='aware'):
        ss.due(p, datetime.datetime(2026, 1, 5), at)


def test_plan_schedules_a_new_policy_without_running_it():
    tick = ss.plan(policy('hourly', '15'), None, utc(2026, 1, 5, 10, 20))
    assert tick == ss.Tick(snapshot=False, next_run_at=utc(2026, 1, 5, 11, 15))


def test_plan_runs_when_due_and_schedules_the_next_period():
    tick = ss.plan(policy('hourly', '15'), utc(2026, 1, 5, 11, 15), utc(2026, 1, 5, 11, 15, 40))
    assert tick == ss.Tick(snapshot=True, next_run_at=utc(2026, 1, 5, 12, 15))


def test_plan_waits_when_not_due():
    tick = ss.plan(policy('hourly', '15'), utc(2026, 1, 5, 11, 15), utc(2026, 1, 5, 11, 14))
    assert tick == ss.Tick(snapshot=False, next_run_at=utc(2026, 1, 5, 11, 15))


def test_plan_of_a_disabled_policy_has_no_next_run():
    tick = ss.plan(policy(enabled=False), utc(2026, 1, 5, 11), utc(2026, 1, 5, 12))
    assert tick == ss.Tick(snapshot=False, next_run_at=None)


def test_after_days_of_downtime_one_snapshot_then_back_on_schedule():
    p = policy('hourly', '15')
    missed = utc(2026, 1, 5, 11, 15)
    back = utc(2026, 1, 8, 9, 40)            # three days later
    tick = ss.plan(p, missed, back)
    assert tick == ss.Tick(snapshot=True, next_run_at=utc(2026, 1, 8, 10, 15))
    assert not ss.plan(p, tick.next_run_at, back + MINUTE).snapshot


# --- to_prune ------------------------------------------------------------------

def snap(id, status='available', minute=0):
    return {'id': id, 'status': status, 'created_at': utc(2026, 1, 5, 0, minute)}


def test_nothing_to_prune_within_the_limit():
    assert ss.to_prune([snap('a'), snap('b', minute=1)], 2) == []
    assert ss.to_prune([], 1) == []


def test_the_oldest_beyond_the_limit_go_first():
    snaps = [snap('d', minute=4), snap('a', minute=1), snap('c', minute=3), snap('b', minute=2)]
    assert ss.to_prune(snaps, 2) == ['a', 'b']
    assert ss.to_prune(snaps, 1) == ['a', 'b', 'c']
    assert [s['id'] for s in snaps] == ['d', 'a', 'c', 'b']     # the input is left alone


def test_equal_creation_times_are_ordered_by_id():
    assert ss.to_prune([snap('y'), snap('x'), snap('z', minute=1)], 1) == ['x', 'y']


def test_snapshots_still_creating_or_busy_are_never_pruned_nor_counted():
    snaps = [snap('busy1', 'creating', 0), snap('busy2', 'deleting', 1),
             snap('busy3', 'backing-up', 2), snap('busy4', 'error_deleting', 3),
             snap('a', minute=4), snap('b', minute=5), snap('new', 'creating', 6)]
    assert ss.to_prune(snaps, 2) == []
    assert ss.to_prune(snaps, 1) == ['a']


def test_error_snapshots_go_before_good_ones():
    snaps = [snap('a', minute=1), snap('b', minute=2), snap('c', minute=3),
             snap('failed', 'error', 4)]
    assert ss.to_prune(snaps, 3) == ['failed']
    snaps += [snap('old-failure', 'error', 0)]
    assert ss.to_prune(snaps, 3) == ['old-failure', 'failed']
    assert ss.to_prune(snaps, 2) == ['old-failure', 'failed', 'a']


def test_rows_prune_like_mappings():
    rows = [types.SimpleNamespace(**snap(i, minute=m)) for i, m in (('b', 2), ('a', 1))]
    assert ss.to_prune(rows, 1) == ['a']


def test_prune_refuses_a_limit_below_one():
    with pytest.raises(ValueError, match='at least 1'):
        ss.to_prune([snap('a')], 0)


# --- a week on a shortened clock ----------------------------------------------------

def every_five_minutes(start, days, down=None):
    """The conductor's passes over ``days`` days, none while it is ``down`` (a range)."""
    nows = (start + n * 5 * MINUTE for n in range(days * 24 * 12))
    return [now for now in nows if not (down and down[0] <= now < down[1])]


def conductor(p, nows):
    """Run the conductor's loop on the given clock: plan, snapshot, prune.

    Snapshots finish creating one pass after they start; a pass prunes after
    the snapshot it took, as the conductor will.

    :returns: the snapshots kept, the ids pruned, the times snapshots were taken.
    """
    kept, pruned, taken, next_run_at = [], [], [], None
    for now in nows:
        for s in kept:
            s['status'] = 'available'
        tick = ss.plan(p, next_run_at, now)
        next_run_at = tick.next_run_at
        if tick.snapshot:
            taken.append(now)
            kept.append({'id': f'snap-{len(taken):04d}', 'status': 'creating', 'created_at': now})
        doomed = ss.to_prune(kept, p.max_snaps)
        assert not [s for s in kept if s['id'] in doomed and s['status'] == 'creating']
        pruned += doomed
        kept = [s for s in kept if s['id'] not in doomed]
    return kept, pruned, taken


def test_a_week_of_hourly_runs_keeps_the_newest():
    p = policy('hourly', '15', max_snaps=24)
    nows = every_five_minutes(utc(2026, 1, 5), 7)
    kept, pruned, taken = conductor(p, nows)
    assert taken == [utc(2026, 1, 5, 0, 15) + n * HOUR for n in range(7 * 24)]
    assert [s['created_at'] for s in kept] == [utc(2026, 1, 11, h, 15) for h in range(24)]
    assert pruned == [f'snap-{n:04d}' for n in range(1, 7 * 24 - 24 + 1)]   # oldest first
    # On the pass that takes a snapshot, it is still creating and does not
    # count yet: the oldest goes on the next pass.
    kept, _, _ = conductor(p, [now for now in nows if now <= utc(2026, 1, 11, 23, 15)])
    assert len(kept) == 25 and kept[-1]['status'] == 'creating'


def test_a_week_with_two_days_down_takes_one_catch_up_snapshot():
    p = policy('hourly', '15', max_snaps=ss.MAX_SNAPS)
    down = (utc(2026, 1, 7), utc(2026, 1, 9))
    kept, pruned, taken = conductor(p, every_five_minutes(utc(2026, 1, 5), 7, down))
    assert len(taken) == 48 + 1 + 72
    assert taken[47:50] == [utc(2026, 1, 6, 23, 15), utc(2026, 1, 9), utc(2026, 1, 9, 0, 15)]
    assert len(kept) == len(taken) and pruned == []


def test_a_week_across_spring_forward():
    # Paris, 23 to 30 March 2026: 167 real hours, 168 local hours.
    start = utc(2026, 3, 22, 23)                             # Monday 00:00 CET
    end = utc(2026, 3, 29, 22)                               # Monday 00:00 CEST
    assert len(runs(policy('hourly', '30', 'Europe/Paris'), start, end)) == 168
    assert len(runs(policy('hourly', '00', 'Europe/Paris'), start, end)) == 167

