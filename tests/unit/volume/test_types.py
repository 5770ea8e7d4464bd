"""Volume types, their extra specs and access lists; the default type; multiattach."""
import pytest

TYPE_KEYS = {'id', 'name', 'is_public', 'extra_specs', 'description'}
ACCESS = 'os-volume-type-access:is_public'
ADMIN = {'as_': 'cloud_admin'}


def _error(response, code=400):
    assert response.status_code == code, response.get_data(as_text=True)
    (body,) = response.get_json().values()
    assert body['code'] == code
    return body['message']


def _names(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [t['name'] for t in response.get_json()['volume_types']]


def test_the_default_type_exists(api):
    (listed,) = api.get('types').get_json()['volume_types']
    assert listed['name'] == '__DEFAULT__'
    assert set(listed) == TYPE_KEYS | {ACCESS}
    default = api.get('types/default').get_json()['volume_type']
    assert default['id'] == listed['id'] and default['description'] == 'Default Volume Type'
    assert set(api.get('types/default', as_='reader').get_json()['volume_type']) == TYPE_KEYS


def test_create_show_update_delete(api):
    created = api.post('types', {'volume_type': {
        'name': 'gold', 'description': 'fast', 'extra_specs': {'volume_backend_name': 'ssd',
                                                               'dropped': None}}}, **ADMIN)
    assert created.status_code == 200
    gold = created.get_json()['volume_type']
    assert set(gold) == TYPE_KEYS | {ACCESS}
    assert (gold['name'], gold['is_public'], gold[ACCESS]) == ('gold', True, True)
    assert gold['extra_specs'] == {'volume_backend_name': 'ssd'}
    assert api.get(f"types/{gold['id']}").get_json()['volume_type']['name'] == 'gold'
    updated = api.put(f"types/{gold['id']}", {'volume_type': {'name': 'platinum',
                                                              'description': None}}, **ADMIN)
    assert updated.status_code == 200
    assert set(updated.get_json()['volume_type']) == TYPE_KEYS
    assert updated.get_json()['volume_type']['name'] == 'platinum'
    assert api.delete(f"types/{gold['id']}", **ADMIN).status_code == 202
    _error(api.get(f"types/{gold['id']}"), 404)


def test_members_cannot_manage_types(api):
    assert api.post('types', {'volume_type': {'name': 'x'}}).status_code == 403
    default = api.get('types/default').get_json()['volume_type']
    assert api.put(f"types/{default['id']}", {'volume_type': {'name': 'y'}}).status_code == 403
    assert api.delete(f"types/{default['id']}").status_code == 403


def test_duplicate_names_are_409(api):
    api.volume_type('gold')
    silver = api.volume_type('silver')
    _error(api.post('types', {'volume_type': {'name': 'gold'}}, **ADMIN), 409)
    _error(api.put(f"types/{silver['id']}", {'volume_type': {'name': 'gold'}}, **ADMIN), 409)


@pytest.mark.parametrize('body', [{}, {'volume_type': {}}, {'volume_type': {'name': ''}},
                                  {'volume_type': {'name': '   '}},
                                  {'volume_type': {'name': 'x' * 256}},
                                  {'volume_type': {'name': 'x', 'extra_specs': {'k': 1}}},
                                  {'volume_type': {'name': 'x', ACCESS: 'maybe'}},
                                  {'volume_type': {'name': 'x', 'bogus': 1}}])
def test_create_bad_input(api, body):
    _error(api.post('types', body, **ADMIN))


def test_update_bad_input(api):
    gold = api.volume_type('gold')
    path = f"types/{gold['id']}"
    assert 'Specify volume type name' in _error(api.put(path, {'volume_type': {}}, **ADMIN))
    assert 'can not be empty' in _error(api.put(path, {'volume_type': {'name': '  '}},
                                                **ADMIN))
    _error(api.put(path, {'volume_type': {'is_public': 'maybe'}}, **ADMIN))
    _error(api.put('types/nope', {'volume_type': {'name': 'x'}}, **ADMIN), 404)


def test_default_type_and_types_in_use_are_kept(env, api):
    default = api.get('types/default').get_json()['volume_type']
    assert 'default volume type' in _error(api.delete(f"types/{default['id']}", **ADMIN))
    gold = api.volume_type('gold')
    volume = api.volume(volume_type='gold')
    assert 'still in use' in _error(api.delete(f"types/{gold['id']}", **ADMIN))
    env.update_volume(volume['id'], status='deleted', deleted_at=env.volume_row(
        volume['id']).created_at)
    assert api.delete(f"types/{gold['id']}", **ADMIN).status_code == 202


def test_missing_default_type(make_env):
    env = make_env(default_volume_type='nonesuch')
    assert 'Default volume type can not be found' in _error(env.api.get('types/default'), 404)
    response = env.api.post('volumes', {'volume': {'size': 1}})
    assert response.status_code == 500
    assert 'nonesuch' in response.get_json()['computeFault']['message']


# --- private types and access ---------------------------------------------------------------

def test_private_types_are_seen_by_their_projects(api):
    private = api.volume_type('private', is_public=False)
    assert 'private' not in _names(api.get('types'))
    _error(api.get(f"types/{private['id']}"), 404)
    _error(api.post('volumes', {'volume': {'size': 1, 'volume_type': 'private'}}), 404)
    action = f"types/{private['id']}/action"
    assert api.post(action, {'addProjectAccess': {'project': 'project-p'}},
                    **ADMIN).status_code == 202
    assert 'private' in _names(api.get('types'))
    assert 'private' not in _names(api.get('types', as_='other_member'))
    assert api.volume(volume_type='private')['volume_type'] == 'private'
    listed = api.get(f"types/{private['id']}/os-volume-type-access", **ADMIN).get_json()
    assert listed == {'volume_type_access': [{'volume_type_id': private['id'],
                                              'project_id': 'project-p'}]}
    _error(api.post(action, {'addProjectAccess': {'project': 'project-p'}}, **ADMIN), 409)
    assert api.post(action, {'removeProjectAccess': {'project': 'project-p'}},
                    **ADMIN).status_code == 202
    _error(api.post(action, {'removeProjectAccess': {'project': 'project-p'}}, **ADMIN), 404)
    assert 'private' not in _names(api.get('types'))


def test_access_api_bad_input_and_policy(api):
    private = api.volume_type('private', is_public=False)
    public = api.get('types/default').get_json()['volume_type']
    action = f"types/{private['id']}/action"
    assert api.post(action, {'addProjectAccess': {'project': 'project-p'}}).status_code == 403
    assert api.get(f"types/{private['id']}/os-volume-type-access").status_code == 403
    assert 'public volume types' in _error(
        api.get(f"types/{public['id']}/os-volume-type-access", **ADMIN), 404)
    for body in ({}, {'addProjectAccess': {}}, {'addProjectAccess': {'project': ''}},
                 {'fly': {}}, {'removeProjectAccess': {'project': 'p', 'x': 1}}):
        _error(api.post(action, body, **ADMIN))


def test_admins_list_with_is_public(api):
    api.volume_type('private', is_public=False)
    assert _names(api.get('types', **ADMIN)) == ['__DEFAULT__']
    assert _names(api.get('types?is_public=false', **ADMIN)) == ['private']
    assert sorted(_names(api.get('types?is_public=None', **ADMIN))) == ['__DEFAULT__',
                                                                         'private']
    assert _names(api.get('types?is_public=false')) == ['__DEFAULT__']
    _error(api.get('types?is_public=maybe', **ADMIN))


def test_list_paging_sorting_and_spec_filter(api):
    api.volume_type('b', extra_specs={'multiattach': '<is> True'})
    api.volume_type('c')
    assert _names(api.get('types?sort=name:asc')) == ['__DEFAULT__', 'b', 'c']
    first = api.get('types?sort=name:asc&limit=1').get_json()['volume_types']
    assert [t['name'] for t in first] == ['__DEFAULT__']
    assert _names(api.get(f"types?sort=name:asc&marker={first[0]['id']}")) == ['b', 'c']
    assert _names(api.get("types?extra_specs={'multiattach': '<is> True'}")) == ['b']
    # Filtering on a spec the caller may not see matches nothing, rather than reveal it.
    assert _names(api.get("types?extra_specs={'volume_backend_name': 'x'}")) == []
    _error(api.get('types?extra_specs=notadict'))
    _error(api.get('types?sort=bogus'))
    _error(api.get('types?marker=nope'), 404)


# --- extra specs ----------------------------------------------------------------------------

def test_extra_specs_crud(api):
    gold = api.volume_type('gold')
    path = f"types/{gold['id']}/extra_specs"
    created = api.post(path, {'extra_specs': {'volume_backend_name': 'ssd', 'k': 'v'}}, **ADMIN)
    assert created.get_json() == {'extra_specs': {'volume_backend_name': 'ssd', 'k': 'v'}}
    assert api.get(path, **ADMIN).get_json()['extra_specs'] == {'volume_backend_name': 'ssd',
                                                                'k': 'v'}
    assert api.get(f'{path}/k', **ADMIN).get_json() == {'k': 'v'}
    assert api.put(f'{path}/k', {'k': 'w'}, **ADMIN).get_json() == {'k': 'w'}
    assert api.delete(f'{path}/k', **ADMIN).status_code == 202
    assert 'has no extra specs with key k' in _error(api.get(f'{path}/k', **ADMIN), 404)
    _error(api.delete(f'{path}/k', **ADMIN), 404)


def test_extra_specs_visibility(api):
    gold = api.volume_type('gold', extra_specs={'volume_backend_name': 'ssd',
                                                'multiattach': '<is> True'})
    path = f"types/{gold['id']}/extra_specs"
    assert api.get(path, as_='reader').get_json()['extra_specs'] == {
        'multiattach': '<is> True'}
    _error(api.get(f'{path}/volume_backend_name', as_='reader'), 404)
    shown = api.get(f"types/{gold['id']}").get_json()['volume_type']
    assert shown['extra_specs'] == {'multiattach': '<is> True'}
    assert api.post(path, {'extra_specs': {'a': 'b'}}).status_code == 403
    assert api.put(f'{path}/a', {'a': 'b'}).status_code == 403
    assert api.delete(f'{path}/multiattach').status_code == 403


def test_extra_specs_bad_input(api):
    gold = api.volume_type('gold')
    path = f"types/{gold['id']}/extra_specs"
    for body in ({}, {'extra_specs': {'k': 1}}, {'extra_specs': {'bad key': 'v'}},
                 {'extra_specs': None}):
        _error(api.post(path, body, **ADMIN))
    assert 'mismatch' in _error(api.put(f'{path}/k', {'j': 'v'}, **ADMIN))
    _error(api.put(f'{path}/k', {'k': 'v', 'j': 'w'}, **ADMIN))
    _error(api.put(f'{path}/k', {}, **ADMIN))
    _error(api.get('types/nope/extra_specs', **ADMIN), 404)


def test_specs_of_a_type_in_use_are_kept(api):
    gold = api.volume_type('gold', extra_specs={'k': 'v'})
    api.volume(volume_type='gold')
    path = f"types/{gold['id']}/extra_specs"
    assert 'currently in use' in _error(api.post(path, {'extra_specs': {'k': 'w'}}, **ADMIN))
    _error(api.delete(f'{path}/k', **ADMIN))


def test_multiattach_and_backend_name_reach_the_volume_and_the_conductor(env, api):
    api.volume_type('shared', extra_specs={'multiattach': '<is> True',
                                           'volume_backend_name': 'nfs-1'})
    volume = api.volume(volume_type='shared')
    assert volume['multiattach'] is True
    spec = env.conductor.named('create_volume')[-1]['request_spec']
    assert spec['multiattach'] is True
    assert spec['volume_type']['extra_specs'] == {'multiattach': '<is> True',
                                                  'volume_backend_name': 'nfs-1'}
    assert api.volume()['multiattach'] is False


def test_a_rename_keeps_the_per_type_quotas(api):
    gold = api.volume_type('gold')
    api.put('os-quota-sets/project-p', {'quota_set': {'volumes_gold': 1}}, **ADMIN)
    api.put(f"types/{gold['id']}", {'volume_type': {'name': 'platinum'}}, **ADMIN)
    quota_set = api.get('os-quota-sets/project-p').get_json()['quota_set']
    assert quota_set['volumes_platinum'] == 1 and 'volumes_gold' not in quota_set


def test_a_rename_to_a_taken_name_is_409_and_keeps_the_quotas(api):
    first, second = api.volume_type('first'), api.volume_type('second')
    limits = {'volumes_first': 5, 'volumes_second': 6}
    assert api.put('os-quota-sets/project-p', {'quota_set': limits},
                   as_='cloud_admin').status_code == 200
    _error(api.put(f"types/{first['id']}", {'volume_type': {'name': 'second'}},
                   as_='cloud_admin'), 409)
    quota = api.get('os-quota-sets/project-p', as_='cloud_admin').get_json()['quota_set']
    assert (quota['volumes_first'], quota['volumes_second']) == (5, 6)
    assert api.get(f"types/{second['id']}", as_='cloud_admin').status_code == 200


def test_access_of_a_public_type_cannot_be_changed(api):
    public = api.volume_type('public')
    for action in ('addProjectAccess', 'removeProjectAccess'):
        _error(api.post(f"types/{public['id']}/action", {action: {'project': 'project-q'}},
                        as_='cloud_admin'), 400)
