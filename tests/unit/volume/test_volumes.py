"""Volumes: create (and what the conductor is asked), show, update, delete."""
import pytest

from volume import rpcapi
from volume import states
from volume.db import models as m

IMAGE_ID = '8a8c3b2e-7e37-4a5c-9c1f-1d2f3b4c5d6e'
# What the CLI sends for ``openstack volume create --size 1 v1`` (API_COMPAT §6).
CLI_BODY = {'size': 1, 'name': 'v1', 'description': None, 'volume_type': None,
            'availability_zone': None, 'snapshot_id': None, 'source_volid': None,
            'consistencygroup_id': None, 'imageRef': None, 'backup_id': None, 'metadata': None}
# The keys of a volume at 3.0 (Tempest's closed schema), for its owner.
BASE_KEYS = {'id', 'status', 'size', 'availability_zone', 'created_at', 'updated_at', 'name',
             'description', 'volume_type', 'snapshot_id', 'source_volid', 'metadata', 'links',
             'user_id', 'bootable', 'encrypted', 'replication_status', 'consistencygroup_id',
             'multiattach', 'attachments'}


def _create(api, version=None, as_='member', **attrs):
    return api.post('volumes', {'volume': attrs}, version=version, as_=as_)


def _error(response, code=400):
    assert response.status_code == code, response.get_data(as_text=True)
    (body,) = response.get_json().values()
    assert body['code'] == code
    return body['message']


# --- create ---------------------------------------------------------------------------------

@pytest.mark.parametrize('version', ['3.0', '3.53', '3.65'])
def test_create_as_the_cli_does_is_202_creating_and_cast(env, api, version):
    response = _create(api, version=version, **CLI_BODY)
    assert response.status_code == 202
    volume = response.get_json()['volume']
    assert volume['status'] == 'creating'
    assert (volume['size'], volume['name'], volume['description']) == (1, 'v1', None)
    assert volume['volume_type'] == '__DEFAULT__'
    assert volume['availability_zone'] == 'nova'
    assert volume['bootable'] == 'false' and volume['metadata'] == {}
    assert volume['user_id'] == 'user-member'
    (cast,) = env.conductor.named('create_volume')
    assert cast['volume_id'] == volume['id']
    spec = cast['request_spec']
    assert set(spec) == set(rpcapi.RequestSpec.__annotations__)
    assert spec['size'] == 1 and spec['availability_zone'] == 'nova'
    assert spec['volume_type']['name'] == '__DEFAULT__'
    assert (spec['snapshot_id'], spec['source_volid'], spec['image_id']) == (None, None, None)
    assert spec['project_id'] == 'project-p' and spec['backend_host'] is None


def test_create_answer_at_3_0_has_exactly_cinders_keys(api):
    volume = _create(api, size=1).get_json()['volume']
    assert set(volume) == BASE_KEYS


def test_create_answer_at_3_65_has_the_later_keys(api):
    volume = _create(api, version='3.65', size=1).get_json()['volume']
    assert set(volume) == BASE_KEYS | {'group_id', 'shared_targets', 'service_uuid',
                                       'volume_type_id', 'consumes_quota'}
    assert volume['consumes_quota'] is True


def test_create_stores_metadata_and_strips_names(api):
    volume = _create(api, size=2, name='  spaced  ', description=' d ',
                     metadata={'purpose': 'db'}).get_json()['volume']
    assert (volume['name'], volume['description']) == ('spaced', 'd')
    assert volume['metadata'] == {'purpose': 'db'}


def test_legacy_display_names(api):
    volume = _create(api, size=1, display_name='old', display_description='style')\
        .get_json()['volume']
    assert (volume['name'], volume['description']) == ('old', 'style')


def test_size_may_be_decimal_text(api):
    assert _create(api, size='3').get_json()['volume']['size'] == 3


@pytest.mark.parametrize('size', [0, -1, 'x', '1.5', 1.5, True, 2 ** 31, None])
def test_bad_sizes_are_400(api, size):
    _error(_create(api, size=size))


def test_missing_volume_key_is_400(api):
    _error(api.post('volumes', {'size': 1}))
    _error(api.post('volumes', None, data='not json', content_type='application/json'))
    _error(api.post('volumes', None, data='', content_type='application/json'))


def test_unknown_keys_are_ignored_before_3_53_and_refused_from_it(api):
    assert _create(api, size=1, bogus='x').status_code == 202
    message = _error(_create(api, version='3.53', size=1, bogus='x'))
    assert 'bogus' in message


@pytest.mark.parametrize('field, value', [('name', 'x' * 256), ('description', 5),
                                          ('metadata', {'k': 5}), ('metadata', ['k']),
                                          ('metadata', {'bad key!': 'v'}),
                                          ('snapshot_id', 'not-a-uuid'),
                                          ('source_volid', 'not-a-uuid'),
                                          ('availability_zone', ''), ('volume_type', 7)])
def test_bad_fields_are_400(api, field, value):
    message = _error(_create(api, size=1, **{field: value}))
    assert field in message


def test_multiattach_parameter_is_refused(api):
    assert 'multiattach parameter has been removed' in _error(_create(api, size=1,
                                                                      multiattach=True))
    assert _create(api, size=1, multiattach=False).status_code == 202


def test_groups_do_not_exist(api):
    group = '2b7c0c41-7d2f-4b4e-8f7e-0e0c3c6b9e5a'
    _error(_create(api, size=1, consistencygroup_id=group), 404)
    _error(_create(api, version='3.13', size=1, group_id=group), 404)


def test_volume_from_backup_is_refused_clearly(api):
    message = _error(_create(api, version='3.47', size=1,
                             backup_id='2b7c0c41-7d2f-4b4e-8f7e-0e0c3c6b9e5a'))
    assert 'backup' in message


def test_type_by_name_or_id_and_unknown(api):
    gold = api.volume_type('gold')
    assert _create(api, size=1, volume_type='gold').get_json()['volume']['volume_type'] == 'gold'
    by_id = _create(api, size=1, volume_type=gold['id']).get_json()['volume']
    assert by_id['volume_type'] == 'gold'
    assert 'silver' in _error(_create(api, size=1, volume_type='silver'), 404)


def test_zone_must_be_known(env, api):
    assert "'moon' is invalid" in _error(_create(api, size=1, availability_zone='moon'))
    env.add_service('h1@file', zone='moon')
    volume = _create(api, size=1, availability_zone='moon').get_json()['volume']
    assert volume['availability_zone'] == 'moon'
    assert _create(api, size=1, availability_zone='nova').status_code == 202


def test_an_image_ref_that_is_no_id_is_400(api):
    # Volumes made from images, against the image API: test_volume_from_image.py.
    assert 'image' in _error(_create(api, size=1, imageRef='cirros'))


def test_image_without_size_is_400(api):
    _error(_create(api, imageRef=IMAGE_ID))


# --- create from a snapshot or a volume -----------------------------------------------------

def test_from_source_volume_inherits_size_type_zone_and_bootable(env, api):
    api.volume_type('gold')
    source = env.available_volume(size=4, volume_type='gold', host='h1@file#pool')
    env.update_volume(source['id'], bootable=True)
    clone = _create(api, source_volid=source['id']).get_json()['volume']
    assert (clone['size'], clone['volume_type'], clone['bootable']) == (4, 'gold', 'true')
    assert clone['source_volid'] == source['id']
    spec = env.conductor.named('create_volume')[-1]['request_spec']
    assert spec['source_volid'] == source['id'] and spec['backend_host'] == 'h1@file'


def test_from_source_volume_checks(env, api):
    creating = api.volume(size=2)
    assert 'source volume status' in _error(_create(api, source_volid=creating['id']))
    source = env.available_volume(size=2)
    assert 'cannot be smaller' in _error(_create(api, source_volid=source['id'], size=1))
    assert _create(api, source_volid=source['id'], size=3).status_code == 202
    _error(_create(api, source_volid='2b7c0c41-7d2f-4b4e-8f7e-0e0c3c6b9e5a'), 404)


def test_from_source_volume_stays_in_its_zone(env, api):
    env.add_service('h1@file', zone='moon')
    source = env.available_volume(size=1)
    assert 'same availability zone' in _error(
        _create(api, source_volid=source['id'], availability_zone='moon'))


def test_from_snapshot(env, api):
    volume = env.available_volume(size=3, host='h2@file#file')
    snapshot_id = env.add_snapshot(volume['id'])
    made = _create(api, snapshot_id=snapshot_id).get_json()['volume']
    assert (made['size'], made['snapshot_id']) == (3, snapshot_id)
    spec = env.conductor.named('create_volume')[-1]['request_spec']
    assert spec['snapshot_id'] == snapshot_id and spec['backend_host'] == 'h2@file'
    assert 'snapshot size' in _error(_create(api, snapshot_id=snapshot_id, size=2))
    busy = env.add_snapshot(volume['id'], status=states.SNAPSHOT_CREATING)
    assert "snapshot status must be one of 'available'" in _error(_create(api,
                                                                          snapshot_id=busy))
    _error(_create(api, snapshot_id='2b7c0c41-7d2f-4b4e-8f7e-0e0c3c6b9e5a'), 404)


def test_another_projects_sources_are_not_found(env, api):
    theirs = env.available_volume(as_='other_member')
    snapshot_id = env.add_snapshot(theirs['id'])
    _error(_create(api, source_volid=theirs['id']), 404)
    _error(_create(api, snapshot_id=snapshot_id), 404)


# --- show and update ------------------------------------------------------------------------

def test_show_adds_the_tenant_attribute_for_readers(api):
    volume = api.volume()
    shown = api.get(f"volumes/{volume['id']}", as_='reader').get_json()['volume']
    assert set(shown) == BASE_KEYS | {'os-vol-tenant-attr:tenant_id'}
    assert shown['os-vol-tenant-attr:tenant_id'] == 'project-p'


def test_show_for_a_cloud_admin_has_the_admin_attributes(env, api):
    volume = env.available_volume(host='h1@file#file')
    shown = api.get(f"volumes/{volume['id']}", as_='cloud_admin', project='project-p',
                    version='3.65').get_json()['volume']
    assert shown['os-vol-host-attr:host'] == 'h1@file#file'
    assert shown['migration_status'] is None
    assert shown['os-vol-mig-status-attr:migstat'] is None
    assert {'provider_id', 'cluster_name', 'os-vol-mig-status-attr:name_id'} <= set(shown)


def test_show_attachments_and_visible_admin_metadata(env, api):
    volume = env.available_volume()
    attachment_id = env.add_attachment(volume['id'])
    assert api.action(volume['id'], 'os-update_readonly_flag', {'readonly': True})\
        .status_code == 400  # in-use now
    shown = api.get(f"volumes/{volume['id']}").get_json()['volume']
    assert shown['status'] == 'in-use'
    (attachment,) = shown['attachments']
    assert attachment['attachment_id'] == attachment_id
    assert attachment['server_id'] == '0c1e5a4f-2a4e-4b8e-9c1e-5a4f2a4e4b8e'
    assert attachment['device'] == '/dev/vdb' and attachment['host_name'] is None
    admin = api.get(f"volumes/{volume['id']}", as_='cloud_admin', project='project-p')
    assert admin.get_json()['volume']['attachments'][0]['host_name'] == 'compute-1'


def test_show_unknown_is_404(api):
    assert 'could not be found' in _error(api.get('volumes/nope'), 404)


def test_update_name_description_metadata(api):
    volume = api.volume(metadata={'a': '1'})
    response = api.put(f"volumes/{volume['id']}",
                       {'volume': {'name': 'new', 'description': 'desc',
                                   'metadata': {'b': '2'}}})
    assert response.status_code == 200
    updated = response.get_json()['volume']
    assert (updated['name'], updated['description']) == ('new', 'desc')
    assert updated['metadata'] == {'b': '2'}
    assert 'os-vol-tenant-attr:tenant_id' not in updated
    cleared = api.put(f"volumes/{volume['id']}", {'volume': {'description': None}})
    assert cleared.get_json()['volume']['description'] is None


def test_update_bad_input(api):
    volume = api.volume()
    path = f"volumes/{volume['id']}"
    assert api.put(path, {'volume': {}}).status_code == 200  # allowed before 3.53
    _error(api.put(path, {'volume': {}}, version='3.53'))
    _error(api.put(path, {'volume': {'size': 5}}))
    _error(api.put(path, {'volume': {'metadata': None}}))
    _error(api.put(path, {'name': 'x'}))


def test_update_in_maintenance_is_400(env, api):
    volume = api.volume()
    env.update_volume(volume['id'], status=states.MAINTENANCE)
    assert 'maintenance' in _error(api.put(f"volumes/{volume['id']}",
                                           {'volume': {'name': 'x'}}))


# --- delete ---------------------------------------------------------------------------------

def test_delete_available_starts_deleting_and_casts(env, api):
    volume = env.available_volume()
    response = api.delete(f"volumes/{volume['id']}?cascade=False&force=False")
    assert response.status_code == 202
    assert env.volume_row(volume['id']).status == 'deleting'
    assert env.volume_row(volume['id']).terminated_at is not None
    assert env.conductor.named('delete_volume') == [{'volume_id': volume['id'],
                                                     'cascade': False}]


def test_delete_of_a_volume_no_backend_holds_is_immediate(env, api):
    volume = api.volume()
    env.update_volume(volume['id'], status=states.ERROR)
    assert api.delete(f"volumes/{volume['id']}").status_code == 202
    assert env.conductor.named('delete_volume') == []
    assert api.get(f"volumes/{volume['id']}").status_code == 404
    assert env.volume_row(volume['id']).deleted_at is not None
    assert api.delete(f"volumes/{volume['id']}").status_code == 404


@pytest.mark.parametrize('status', ['creating', 'deleting', 'extending', 'in-use',
                                    'attaching', 'backing-up'])
def test_delete_in_a_busy_status_is_400(env, api, status):
    volume = env.available_volume()
    env.update_volume(volume['id'], status=status)
    message = _error(api.delete(f"volumes/{volume['id']}"))
    assert 'Volume status must be available or error' in message
    assert env.volume_row(volume['id']).status == status


def test_delete_attached_is_400_even_with_force(env, api):
    volume = env.available_volume()
    env.add_attachment(volume['id'])
    _error(api.delete(f"volumes/{volume['id']}"))
    _error(api.delete(f"volumes/{volume['id']}?force=true", as_='cloud_admin',
                      project='project-p', version='3.23'))


def test_delete_with_snapshots_needs_cascade(env, api):
    volume = env.available_volume()
    snapshot_id = env.add_snapshot(volume['id'])
    assert 'have snapshots' in _error(api.delete(f"volumes/{volume['id']}"))
    assert api.delete(f"volumes/{volume['id']}?cascade=True").status_code == 202
    assert env.conductor.named('delete_volume')[-1]['cascade'] is True
    with env.db.reader() as session:
        assert session.get(m.Snapshot, snapshot_id).status == 'deleting'


def test_cascade_needs_settled_snapshots(env, api):
    volume = env.available_volume()
    env.add_snapshot(volume['id'], status=states.SNAPSHOT_CREATING)
    _error(api.delete(f"volumes/{volume['id']}?cascade=true"))


def test_force_delete_is_for_admins_from_3_23(env, api):
    volume = env.available_volume()
    env.update_volume(volume['id'], status=states.ERROR_DELETING)
    path = f"volumes/{volume['id']}?force=true"
    _error(api.delete(path))  # force ignored below 3.23: status refused
    assert api.delete(path, version='3.23').status_code == 403
    assert api.delete(path, version='3.23', as_='cloud_admin', project='project-p')\
        .status_code == 202
    assert env.volume_row(volume['id']).status == 'deleting'


@pytest.mark.parametrize('query', ['cascade=maybe', 'force=perhaps'])
def test_bad_delete_flags_are_400(env, api, query):
    volume = env.available_volume()
    _error(api.delete(f"volumes/{volume['id']}?{query}", version='3.23'))


# --- the conductor cannot be reached --------------------------------------------------------

def test_create_whose_cast_fails_is_503_and_the_volume_in_error(env, api):
    env.conductor.fail = True
    response = _create(api, size=1, name='lost')
    assert _error(response, 503)
    (volume,) = api.get('volumes/detail').get_json()['volumes']
    assert volume['status'] == 'error' and volume['name'] == 'lost'
    assert api.delete(f"volumes/{volume['id']}").status_code == 202  # no host: gone at once


def test_delete_whose_cast_fails_is_503_and_undone(env, api):
    volume = env.available_volume()
    snapshot_id = env.add_snapshot(volume['id'])
    env.conductor.fail = True
    _error(api.delete(f"volumes/{volume['id']}?cascade=true"), 503)
    row = env.volume_row(volume['id'])
    assert row.status == 'available' and row.terminated_at is None
    with env.db.reader() as session:
        assert session.get(m.Snapshot, snapshot_id).status == 'available'
