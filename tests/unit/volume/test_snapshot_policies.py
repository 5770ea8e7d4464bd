"""Snapshot policies: the API (create, list, show, update, delete, isolation, bad input)
and the conductor's periodic task on a shortened clock (snapshots taken on schedule,
pruned to ``max_snaps``, quotas applied)."""
import datetime

import pytest
import sqlalchemy as sa

from volume import rpcapi
from volume import snapshot_policies as domain
from volume import snapshots
from volume import states
from volume.api.views import snapshot_policies as views
from volume.conductor import snapshot_policies as runner_module
from volume.conductor import snapshots as conductor_snapshots
from volume.db import models as m
from tests.unit.volume.copies_fixtures import BACKEND, VOLUME_HOST, CopiesAgents, copies_env

UTC = datetime.timezone.utc
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def env(make_env):
    return copies_env(make_env)


def _error(response, code=400):
    assert response.status_code == code, response.get_data(as_text=True)
    (body,) = response.get_json().values()
    assert body['code'] == code
    return body['message']


def _policy(api, volume_id, as_='member', **fields):
    body = {'volume_id': volume_id, 'interval_type': 'hourly', 'schedule': '0',
            'max_snaps': 2, **fields}
    return api.post('snapshot-policies', {'snapshot_policy': body}, as_=as_)


def _made(env, volume_id, **fields):
    response = _policy(env.api, volume_id, **fields)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()['snapshot_policy']


# --- API ------------------------------------------------------------------------------------

def test_create_as_the_sdk_does(env, api):
    volume = env.available_volume()
    policy = _made(env, volume['id'], interval_type='daily', schedule='5:2', max_snaps=3)
    assert (policy['schedule'], policy['timezone'], policy['enabled']) == ('05:02', 'UTC', True)
    assert policy['project_id'] == 'project-p' and policy['max_snaps'] == 3
    next_run = datetime.datetime.fromisoformat(policy['next_run_at']).replace(tzinfo=UTC)
    now = datetime.datetime.now(UTC)
    assert now < next_run <= now + datetime.timedelta(days=1)
    assert (next_run.hour, next_run.minute) == (2, 5)
    assert policy['last_run_at'] is None


def test_a_disabled_policy_has_no_next_run(env, api):
    policy = _made(env, env.available_volume()['id'], enabled=False)
    assert policy['next_run_at'] is None


@pytest.mark.parametrize('fields, words', [
    ({'schedule': '75'}, 'minute must be 0-59'),
    ({'interval_type': 'weekly', 'schedule': '00:02'}, "takes 'MM:HH:D'"),
    ({'timezone': 'Mars/Olympus'}, 'Unknown time zone'),
    ({'max_snaps': 0}, None),
    ({'interval_type': 'yearly'}, None),
    ({'enabled': 'yes'}, None),
])
def test_bad_policies_are_400(env, api, fields, words):
    message = _error(_policy(api, env.available_volume()['id'], **fields))
    if words:
        assert words in message


def test_one_policy_per_interval_type_per_volume(env, api):
    volume = env.available_volume()
    _made(env, volume['id'])
    assert 'already has a hourly' in _error(_policy(api, volume['id']), 409)
    assert _policy(api, volume['id'], interval_type='daily', schedule='00:01').status_code == 200


def test_list_show_update_delete(env, api):
    one, two = env.available_volume(), env.available_volume()
    first, second = _made(env, one['id']), _made(env, two['id'])
    listed = api.get('snapshot-policies').get_json()['snapshot_policies']
    assert [p['id'] for p in listed] == [first['id'], second['id']]
    only = api.get(f"snapshot-policies?volume_id={two['id']}").get_json()['snapshot_policies']
    assert [p['id'] for p in only] == [second['id']]
    path = f"snapshot-policies/{first['id']}"
    assert api.get(path).get_json()['snapshot_policy'] == first
    paused = api.put(path, {'snapshot_policy': {'enabled': False, 'max_snaps': 5}})
    body = paused.get_json()['snapshot_policy']
    assert (body['enabled'], body['max_snaps'], body['next_run_at']) == (False, 5, None)
    resumed = api.put(path, {'snapshot_policy': {'enabled': True, 'schedule': '30'}})
    assert resumed.get_json()['snapshot_policy']['next_run_at'].endswith(':30:00.000000')
    _error(api.put(path, {'snapshot_policy': {'interval_type': 'daily'}}))
    _error(api.put(path, {'snapshot_policy': {}}))
    _error(api.put(path, {'snapshot_policy': {'schedule': '1:2'}}))
    assert api.delete(path).status_code == 202
    _error(api.get(path), 404)


def test_another_project_neither_sees_nor_touches_them(env, api):
    volume = env.available_volume()
    policy = _made(env, volume['id'])
    path = f"snapshot-policies/{policy['id']}"
    assert api.get('snapshot-policies', as_='other_member').get_json() == {
        'snapshot_policies': []}
    _error(api.get(path, as_='other_member'), 404)
    _error(api.put(path, {'snapshot_policy': {'max_snaps': 9}}, as_='other_member'), 404)
    _error(api.delete(path, as_='other_member'), 404)
    _error(_policy(api, volume['id'], as_='other_member', interval_type='daily',
                   schedule='00:00'), 404)
    _error(api.delete(path, as_='reader'), 403)
    assert api.get(path, as_='reader').status_code == 200
    everyone = api.get('snapshot-policies?all_tenants=1',
                       as_='cloud_admin').get_json()['snapshot_policies']
    assert [p['id'] for p in everyone] == [policy['id']]
    assert api.get('snapshot-policies', as_='cloud_admin').get_json()['snapshot_policies'] == []


def test_the_view_renders_cinder_times(env):
    volume = env.available_volume()
    with env.db.writer() as session:
        row = domain.create(session, env.volume_row(volume['id']),
                            {'interval_type': 'daily', 'schedule': '30:02',
                             'timezone': 'Europe/Paris', 'max_snaps': 7},
                            datetime.datetime(2026, 1, 5, 9, tzinfo=UTC))
        body = views.detail(row)
    assert body['next_run_at'] == '2026-01-06T01:30:00.000000'  # 02:30 in Paris
    assert body['schedule'] == '30:02' and body['timezone'] == 'Europe/Paris'


# --- the conductor's periodic task on a shortened clock ---------------------------------------

class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def _policy_snapshots(env, policy_id):
    with env.db.reader() as session:
        return list(session.execute(sa.select(m.Snapshot).where(
            m.Snapshot.policy_id == policy_id).order_by(m.Snapshot.created_at)).scalars())


def _agent_finishes(snapshotter, agents):
    """Play the agent: every snapshot cast to it is taken or deleted, and reported."""
    for name, backend, args in agents.calls:
        action = rpcapi.CREATE if name == 'create_snapshot' else rpcapi.DELETE
        values = {'provider_location': f"/s/{args['snapshot']['id']}"} \
            if action == rpcapi.CREATE else None
        snapshotter.snapshot_done(args['snapshot']['id'], action, backend, values, None)
    agents.calls.clear()


def _runner(env, start):
    agents = CopiesAgents()
    snapshotter = conductor_snapshots.Snapshotter(env.db, agents)
    clock = Clock(start)
    return runner_module.PolicyRunner(env.conf, env.db, snapshotter, clock=clock), clock, \
        snapshotter, agents


def test_snapshots_are_taken_on_schedule_and_pruned_to_max_snaps(env):
    volume = env.available_volume(size=1, host=VOLUME_HOST, name='db')
    policy = _made(env, volume['id'], schedule='15', max_snaps=2)
    first = datetime.datetime.fromisoformat(policy['next_run_at']).replace(tzinfo=UTC)
    runner, clock, snapshotter, agents = _runner(env, first - datetime.timedelta(minutes=5))
    assert runner.run() == ([], [])  # not yet due
    taken_all, pruned_all = [], []
    for hour in range(5):
        clock.now = first + hour * HOUR + datetime.timedelta(seconds=30)
        taken, pruned = runner.run()
        assert len(taken) == 1
        assert runner.run() == ([], [])  # a second pass within the hour takes nothing
        taken_all += taken
        pruned_all += pruned
        assert [b for b, _ in agents.named('create_snapshot')] == [BACKEND]
        _agent_finishes(snapshotter, agents)
    # One pass after the last snapshot became available prunes it back to two.
    clock.now += datetime.timedelta(minutes=1)
    pruned_all += runner.run()[1]
    _agent_finishes(snapshotter, agents)
    assert pruned_all == taken_all[:3]  # the oldest go first
    live = [s for s in _policy_snapshots(env, policy['id']) if s.deleted_at is None]
    assert [s.id for s in live] == taken_all[3:]
    assert all(s.status == states.SNAPSHOT_AVAILABLE for s in live)
    with env.db.reader() as session:
        metadata = snapshots.user_metadata(session, [live[0].id])[live[0].id]
        row = session.get(m.SnapshotPolicy, policy['id'])
        assert (row.last_run_at, row.next_run_at) == (
            (first + 4 * HOUR + datetime.timedelta(seconds=30)).replace(tzinfo=None),
            (first + 5 * HOUR).replace(tzinfo=None))
    assert metadata == {snapshots.POLICY_METADATA_KEY: policy['id']}
    assert live[0].name.startswith('db-hourly-')
    # The policy's snapshots are the user's like any other.
    shown = env.api.get(f'snapshots/{live[0].id}').get_json()['snapshot']
    assert shown['status'] == 'available'


def test_a_run_over_quota_is_skipped_until_the_next(make_env):
    env = copies_env(make_env, quota__snapshots=1)
    volume = env.available_volume(host=VOLUME_HOST)
    policy = _made(env, volume['id'], max_snaps=5)
    first = datetime.datetime.fromisoformat(policy['next_run_at']).replace(tzinfo=UTC)
    runner, clock, snapshotter, agents = _runner(env, first)
    assert len(runner.run()[0]) == 1
    clock.now = first + HOUR
    assert runner.run() == ([], [])  # over quota: logged, skipped
    with env.db.reader() as session:
        assert session.get(m.SnapshotPolicy, policy['id']).next_run_at == \
            (first + 2 * HOUR).replace(tzinfo=None)


def test_disabled_policies_and_busy_volumes_take_nothing(env):
    volume = env.available_volume(host=VOLUME_HOST)
    policy = _made(env, volume['id'])
    first = datetime.datetime.fromisoformat(policy['next_run_at']).replace(tzinfo=UTC)
    env.update_volume(volume['id'], status=states.EXTENDING)
    runner, clock, _snapshotter, agents = _runner(env, first)
    assert runner.run() == ([], [])
    env.update_volume(volume['id'], status=states.AVAILABLE)
    env.api.put(f"snapshot-policies/{policy['id']}", {'snapshot_policy': {'enabled': False}})
    clock.now = first + 3 * HOUR
    assert runner.run() == ([], []) and agents.calls == []


def test_the_policy_of_a_deleted_volume_goes_with_it(env):
    volume = env.available_volume(host=VOLUME_HOST)
    policy = _made(env, volume['id'])
    first = datetime.datetime.fromisoformat(policy['next_run_at']).replace(tzinfo=UTC)
    env.update_volume(volume['id'], status=states.DELETED,
                      deleted_at=datetime.datetime.now(UTC).replace(tzinfo=None))
    runner, _clock, _snapshotter, agents = _runner(env, first)
    assert runner.run() == ([], []) and agents.calls == []
    _error(env.api.get(f"snapshot-policies/{policy['id']}"), 404)
