"""os-quota-sets and /limits: defaults from [quota], per-project limits (admins), usage,
and the 413s a create over a limit gets."""
import pytest
import sqlalchemy as sa

from volume.db import models as m

ADMIN = {'as_': 'cloud_admin'}
# Tempest's required keys of a quota set.
KEYS = {'id', 'volumes', 'snapshots', 'backups', 'per_volume_gigabytes', 'gigabytes',
        'backup_gigabytes', 'groups'}


def _error(response, code=400):
    assert response.status_code == code, response.get_data(as_text=True)
    (body,) = response.get_json().values()
    assert body['code'] == code
    return body['message']


def test_defaults_are_cinders(api):
    quota_set = api.get('os-quota-sets/project-p').get_json()['quota_set']
    assert quota_set == {'id': 'project-p', 'volumes': 10, 'gigabytes': 1000, 'snapshots': 10,
                         'backups': 10, 'backup_gigabytes': 1000, 'per_volume_gigabytes': -1,
                         'groups': 10, 'volumes___DEFAULT__': -1, 'gigabytes___DEFAULT__': -1,
                         'snapshots___DEFAULT__': -1}
    defaults = api.get('os-quota-sets/project-p/defaults').get_json()['quota_set']
    assert defaults == quota_set


def test_defaults_follow_the_configuration(make_env):
    env = make_env(quota__volumes=3, quota__per_volume_gigabytes=50)
    quota_set = env.api.get('os-quota-sets/project-p').get_json()['quota_set']
    assert (quota_set['volumes'], quota_set['per_volume_gigabytes']) == (3, 50)


def test_usage(env, api):
    api.volume_type('gold')
    api.volume(size=2)
    api.volume(size=3, volume_type='gold')
    env.add_snapshot(api.volume(size=1)['id'])
    usage = api.get('os-quota-sets/project-p?usage=True').get_json()['quota_set']
    assert KEYS <= set(usage)
    assert usage['volumes'] == {'limit': 10, 'in_use': 3, 'reserved': 0}
    assert usage['gigabytes']['in_use'] == 7  # 6 of volumes and the 1 GiB snapshot
    assert usage['snapshots']['in_use'] == 1
    assert usage['volumes_gold'] == {'limit': -1, 'in_use': 1, 'reserved': 0}
    assert usage['gigabytes_gold']['in_use'] == 3
    assert usage['volumes___DEFAULT__']['in_use'] == 2
    _error(api.get('os-quota-sets/project-p?usage=maybe'))


def test_another_projects_quotas_are_403_unless_admin(api):
    assert api.get('os-quota-sets/project-q').status_code == 403
    assert api.get('os-quota-sets/project-q/defaults').status_code == 403
    assert api.get('os-quota-sets/project-q', **ADMIN).status_code == 200


def test_set_and_reset(api):
    assert api.put('os-quota-sets/project-p', {'quota_set': {'volumes': 1}}).status_code == 403
    response = api.put('os-quota-sets/project-p',
                       {'quota_set': {'volumes': 1, 'gigabytes': '20', 'id': 'ignored',
                                      'tenant_id': 'ignored'}}, **ADMIN)
    assert response.status_code == 200
    body = response.get_json()['quota_set']
    assert 'id' not in body and (body['volumes'], body['gigabytes']) == (1, 20)
    assert api.get('os-quota-sets/project-p').get_json()['quota_set']['volumes'] == 1
    assert api.delete('os-quota-sets/project-p').status_code == 403
    deleted = api.delete('os-quota-sets/project-p', **ADMIN)
    assert deleted.status_code == 200 and deleted.data == b''
    assert api.get('os-quota-sets/project-p').get_json()['quota_set']['volumes'] == 10


@pytest.mark.parametrize('quota_set, words', [
    ({'bogus': 1}, 'Bad key(s) in quota set: bogus'), ({'volumes': -2}, 'volumes'),
    ({'volumes': 'x'}, 'volumes'), ({'volumes': 2 ** 31}, 'volumes'),
    ({'volumes': True}, 'volumes'), ({'volumes': None}, 'volumes'),
    ({'volumes': 1.5}, 'volumes'), ({}, ''), ({'volumes_silver': 1}, 'volumes_silver')])
def test_bad_quota_values_are_400(api, quota_set, words):
    assert words in _error(api.put('os-quota-sets/project-p', {'quota_set': quota_set},
                                   **ADMIN))


def test_limits_below_usage_are_refused(api):
    api.volume(size=5)
    message = _error(api.put('os-quota-sets/project-p', {'quota_set': {'gigabytes': 4}},
                             **ADMIN))
    assert 'Current usage is 5 and the requested limit is 4' in message
    assert api.put('os-quota-sets/project-p', {'quota_set': {'gigabytes': 5, 'volumes': -1,
                                                             'per_volume_gigabytes': 1}},
                   **ADMIN).status_code == 200


# --- what creates over a limit get ----------------------------------------------------------

def test_over_the_volumes_quota_is_413(make_env):
    env = make_env(quota__volumes=1)
    env.api.volume()
    message = _error(env.api.post('volumes', {'volume': {'size': 1}}), 413)
    assert message == "Maximum number of volumes allowed (1) exceeded for quota 'volumes'."
    assert len(env.api.get('volumes').get_json()['volumes']) == 1
    assert len(env.conductor.named('create_volume')) == 1


def test_over_the_gigabytes_quota_is_413(make_env):
    env = make_env(quota__gigabytes=5)
    env.api.volume(size=4)
    message = _error(env.api.post('volumes', {'volume': {'size': 2}}), 413)
    assert message == ('Requested volume or snapshot exceeds allowed gigabytes quota. '
                       'Requested 2G, quota is 5G and 4G has been consumed.')
    assert env.api.post('volumes', {'volume': {'size': 1}}).status_code == 202


def test_creates_count_under_the_projects_locks(env, api):
    api.volume_type('gold')
    api.volume(volume_type='gold')
    with env.db.reader() as session:
        locks = session.execute(sa.select(m.QuotaLock.project_id, m.QuotaLock.resource)).all()
    # One lock per counted resource: per-type resources count under their base one.
    assert sorted(locks) == [('project-p', 'gigabytes'), ('project-p', 'volumes')]


def test_per_volume_limit_is_413(make_env):
    env = make_env(quota__per_volume_gigabytes=10)
    message = _error(env.api.post('volumes', {'volume': {'size': 11}}), 413)
    assert message == 'Requested volume size 11G is larger than maximum allowed limit 10G.'


def test_per_type_quotas(api):
    api.volume_type('gold')
    api.put('os-quota-sets/project-p', {'quota_set': {'volumes_gold': 1,
                                                      'gigabytes_gold': 3}}, **ADMIN)
    api.volume(volume_type='gold', size=1)
    message = _error(api.post('volumes', {'volume': {'size': 1, 'volume_type': 'gold'}}), 413)
    assert "quota 'volumes_gold'" in message
    assert api.post('volumes', {'volume': {'size': 1}}).status_code == 202


def test_deleted_volumes_free_their_quota(make_env):
    env = make_env(quota__volumes=1)
    volume = env.api.volume()
    assert env.api.delete(f"volumes/{volume['id']}").status_code == 202  # no host: gone
    assert env.api.post('volumes', {'volume': {'size': 1}}).status_code == 202


def test_the_services_own_volumes_count_against_nothing(make_env):
    env = make_env(quota__volumes=1)
    volume = env.api.volume()
    env.update_volume(volume['id'], use_quota=False)
    assert env.api.post('volumes', {'volume': {'size': 1}}).status_code == 202


# --- /limits --------------------------------------------------------------------------------

def test_limits_show_limits_and_usage(env, api):
    api.volume(size=2)
    body = api.get('limits').get_json()
    assert body == {'limits': {'rate': [], 'absolute': {
        'maxTotalVolumeGigabytes': 1000, 'maxTotalBackupGigabytes': 1000,
        'maxTotalVolumes': 10, 'maxTotalSnapshots': 10, 'maxTotalBackups': 10,
        'totalVolumesUsed': 1, 'totalGigabytesUsed': 2, 'totalSnapshotsUsed': 0,
        'totalBackupsUsed': 0, 'totalBackupGigabytesUsed': 0}}}
    assert api.get('limits', as_='reader').status_code == 200
    assert api.get('limits', as_='foo').status_code == 403


def test_limits_of_another_project_for_admins_from_3_39(api):
    api.volume(size=2)
    admin = api.get('limits?project_id=project-p', version='3.39', **ADMIN).get_json()
    assert admin['limits']['absolute']['totalVolumesUsed'] == 1
    older = api.get('limits?project_id=project-p', version='3.38', **ADMIN).get_json()
    assert older['limits']['absolute']['totalVolumesUsed'] == 0
    member = api.get('limits?project_id=project-p', version='3.39', as_='other_member')
    assert member.get_json()['limits']['absolute']['totalVolumesUsed'] == 0
