"""``POST /volumes/{id}/action``: extend, bootable, read-only, reset status, force delete."""
import pytest

from volume import states
from volume.db import models as m


def _error(response, code=400):
    assert response.status_code == code, response.get_data(as_text=True)
    (body,) = response.get_json().values()
    assert body['code'] == code
    return body['message']


@pytest.fixture
def volume(env):
    return env.available_volume(size=2)


# --- os-extend ------------------------------------------------------------------------------

def test_extend_available(env, api, volume):
    response = api.action(volume['id'], 'os-extend', {'new_size': 5})
    assert response.status_code == 202
    row = env.volume_row(volume['id'])
    assert (row.status, row.previous_status, row.size, row.requested_size) == \
        ('extending', 'available', 2, 5)
    assert env.conductor.named('extend_volume') == [{'volume_id': volume['id'], 'new_size': 5}]


def test_extend_takes_the_quota_until_done(make_env):
    env = make_env(quota__gigabytes=6)
    volume = env.available_volume(size=2)
    assert env.api.action(volume['id'], 'os-extend', {'new_size': '5'}).status_code == 202
    usage = env.api.get('os-quota-sets/project-p?usage=True').get_json()['quota_set']
    assert usage['gigabytes']['in_use'] == 5
    message = _error(env.api.post('volumes', {'volume': {'size': 2}}), 413)
    assert 'Requested 2G, quota is 6G and 5G has been consumed' in message


@pytest.mark.parametrize('new_size', [2, 1])
def test_extend_must_grow(api, volume, new_size):
    message = _error(api.action(volume['id'], 'os-extend', {'new_size': new_size}))
    assert 'New size for extend must be greater than current size' in message


@pytest.mark.parametrize('args', [{}, {'new_size': 0}, {'new_size': 'x'}, {'new_size': None},
                                  {'new_size': 3, 'more': 1}, None])
def test_extend_bad_body(api, volume, args):
    _error(api.action(volume['id'], 'os-extend', args))


@pytest.mark.parametrize('status', ['creating', 'error', 'extending', 'reserved'])
def test_extend_needs_available(env, api, volume, status):
    env.update_volume(volume['id'], status=status)
    assert "status must be 'available'" in _error(
        api.action(volume['id'], 'os-extend', {'new_size': 3}))
    assert env.volume_row(volume['id']).status == status


def test_extend_in_use_from_3_42(env, api, volume):
    env.add_attachment(volume['id'])
    _error(api.action(volume['id'], 'os-extend', {'new_size': 3}, version='3.41'))
    response = api.action(volume['id'], 'os-extend', {'new_size': 3}, version='3.42')
    assert response.status_code == 202
    assert env.volume_row(volume['id']).previous_status == 'in-use'


def test_extend_over_quotas_is_413(make_env):
    env = make_env(quota__per_volume_gigabytes=5, quota__gigabytes=5)
    volume = env.available_volume(size=2)
    message = _error(env.api.action(volume['id'], 'os-extend', {'new_size': 6}), 413)
    assert message == 'Requested volume size 6G is larger than maximum allowed limit 5G.'
    env.api.volume(size=1)
    message = _error(env.api.action(volume['id'], 'os-extend', {'new_size': 5}), 413)
    assert 'gigabytes quota. Requested 3G, quota is 5G and 3G has been consumed.' in message
    row = env.volume_row(volume['id'])
    assert (row.status, row.requested_size) == ('available', None)


def test_extend_whose_cast_fails_is_put_back(env, api, volume):
    env.conductor.fail = True
    _error(api.action(volume['id'], 'os-extend', {'new_size': 3}), 503)
    row = env.volume_row(volume['id'])
    assert (row.status, row.size, row.requested_size) == ('available', 2, None)


# --- os-set_bootable and os-update_readonly_flag --------------------------------------------

@pytest.mark.parametrize('value, shown', [(True, 'true'), ('False', 'false'), ('yes', 'true')])
def test_set_bootable(api, volume, value, shown):
    response = api.action(volume['id'], 'os-set_bootable', {'bootable': value})
    assert response.status_code == 200
    assert api.get(f"volumes/{volume['id']}").get_json()['volume']['bootable'] == shown


@pytest.mark.parametrize('args', [{}, {'bootable': 'perhaps'}, {'bootable': 1}])
def test_set_bootable_bad_body(api, volume, args):
    _error(api.action(volume['id'], 'os-set_bootable', args))


def test_readonly_flag_shows_in_metadata(api, volume):
    response = api.action(volume['id'], 'os-update_readonly_flag', {'readonly': True})
    assert response.status_code == 202
    shown = api.get(f"volumes/{volume['id']}").get_json()['volume']
    assert shown['metadata'] == {'readonly': 'True'}
    api.action(volume['id'], 'os-update_readonly_flag', {'readonly': 'false'})
    assert api.get(f"volumes/{volume['id']}").get_json()['volume']['metadata'] == \
        {'readonly': 'False'}
    # It is the service's: the user's metadata does not hold it.
    assert api.get(f"volumes/{volume['id']}/metadata").get_json()['metadata'] == {}


def test_readonly_flag_needs_available(env, api, volume):
    env.update_volume(volume['id'], status=states.ERROR)
    assert 'must be available' in _error(
        api.action(volume['id'], 'os-update_readonly_flag', {'readonly': True}))
    _error(api.action(volume['id'], 'os-update_readonly_flag', {'readonly': 'x'}))


# --- os-reset_status ------------------------------------------------------------------------

def _reset(api, volume_id, as_='cloud_admin', **args):
    return api.action(volume_id, 'os-reset_status', args, as_=as_, project='project-p')


def test_reset_status_is_for_cloud_admins(env, api, volume):
    assert api.action(volume['id'], 'os-reset_status', {'status': 'error'}).status_code == 403
    assert _reset(api, volume['id'], status='ERROR').status_code == 202
    assert env.volume_row(volume['id']).status == 'error'


def test_reset_status_bad_input(api, volume):
    assert "Must specify 'status'" in _error(_reset(api, volume['id']))
    assert 'Volume status: bogus is invalid' in _error(_reset(api, volume['id'],
                                                              status='bogus'))
    assert 'attach status' in _error(_reset(api, volume['id'], attach_status='glued'))
    _error(_reset(api, volume['id'], migration_status='flying'))
    for status in ('deleting', 'error_deleting', 'detaching'):
        assert 'Cannot reset-state' in _error(_reset(api, volume['id'], status=status))
    assert 'does not have any attachments' in _error(_reset(api, volume['id'],
                                                            status='in-use'))
    _error(_reset(api, volume['id'], status=5))


def test_reset_to_detached_ends_the_attachments(env, api, volume):
    env.add_attachment(volume['id'])
    assert _reset(api, volume['id'], status='in-use').status_code == 202
    assert _reset(api, volume['id'], status='available',
                  attach_status='detached').status_code == 202
    shown = api.get(f"volumes/{volume['id']}").get_json()['volume']
    assert shown['status'] == 'available' and shown['attachments'] == []
    with env.db.reader() as session:
        attachment = session.query(m.VolumeAttachment).one()
        assert attachment.attach_status == 'detached' and attachment.detached_at is not None


def test_reset_migration_status(env, api, volume):
    _reset(api, volume['id'], migration_status='migrating')
    assert env.volume_row(volume['id']).migration_status == 'migrating'
    _reset(api, volume['id'], migration_status='none')
    assert env.volume_row(volume['id']).migration_status is None


# --- os-force_delete and dispatch -----------------------------------------------------------

def test_force_delete_is_for_cloud_admins(env, api, volume):
    env.update_volume(volume['id'], status=states.ERROR_DELETING)
    assert api.action(volume['id'], 'os-force_delete').status_code == 403
    response = api.action(volume['id'], 'os-force_delete', {}, as_='cloud_admin',
                          project='project-p')
    assert response.status_code == 202
    assert env.volume_row(volume['id']).status == 'deleting'
    assert env.conductor.named('delete_volume')[-1]['volume_id'] == volume['id']


@pytest.mark.parametrize('body', [{'os-teleport': {}}, {}, [], 'os-extend'])
def test_unknown_actions_are_400(api, volume, body):
    response = api.post(f"volumes/{volume['id']}/action", body)
    assert 'badRequest' in response.get_json() and response.status_code == 400


def test_action_on_an_unknown_volume_is_404(api):
    response = api.action('nope', 'os-extend', {'new_size': 3})
    assert response.status_code == 404 and 'itemNotFound' in response.get_json()


def test_readers_cannot_act(api, volume):
    for name, args in (('os-extend', {'new_size': 3}), ('os-set_bootable', {'bootable': True}),
                       ('os-update_readonly_flag', {'readonly': True})):
        assert api.action(volume['id'], name, args, as_='reader').status_code == 403
