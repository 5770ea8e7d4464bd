"""The attachments API (3.27+): reserve, connect, complete and delete, as Nova drives it,
with the volume's status following its attachments."""
import threading

import pytest

from common.db import migration
from common.db.session import Database
from tests.unit.volume import attach_helpers as h
from tests.unit.volume.fixtures import MIGRATIONS
from volume import states

DETAIL_KEYS = {'id', 'status', 'instance', 'volume_id', 'attached_at', 'detached_at',
               'attach_mode', 'connection_info'}


@pytest.fixture
def agent(env):
    return h.install_agent(env)


@pytest.fixture
def volume(env, agent):
    return h.made_volume(env)


def _update(api, attachment_id, connector=h.CONNECTOR, **kwargs):
    return api.put(f'attachments/{attachment_id}', {'attachment': {'connector': connector}},
                   version=h.ATTACH, **kwargs)


def _complete(api, attachment_id, **kwargs):
    kwargs.setdefault('version', h.ATTACH)
    return api.post(f'attachments/{attachment_id}/action', {'os-complete': None}, **kwargs)


# --- the life of an attachment ------------------------------------------------------


def test_a_create_reserves_the_volume(env, api, volume):
    response = h.create(api, volume['id'])
    assert response.status_code == 200
    body = response.get_json()['attachment']
    assert set(body) == DETAIL_KEYS
    assert body['status'] == 'reserved' and body['instance'] == h.SERVER
    assert body['volume_id'] == volume['id'] and body['attach_mode'] == 'rw'
    assert body['attached_at'] == '' and body['connection_info'] is None
    assert h.status_of(env, volume['id']) == (states.RESERVED, states.DETACHED)


def test_reserve_connect_complete_and_delete(env, api, agent, volume):
    attachment_id = h.create(api, volume['id']).get_json()['attachment']['id']

    response = _update(api, attachment_id)
    assert response.status_code == 200
    body = response.get_json()['attachment']
    assert body['status'] == 'attaching'
    assert body['connection_info'] == {
        'driver_volume_type': 'file',
        'data': {'device_path': f"{h.VOLUMES_DIR}/volume-{volume['id']}", 'format': 'raw',
                 'name': f"volume-{volume['id']}", 'access_mode': 'rw'}}
    [(_, backend, volume_id, connector)] = agent.named('initialize_connection')
    assert (backend, volume_id, connector) == ('host1@file', volume['id'], h.CONNECTOR)
    assert h.status_of(env, volume['id']) == (states.ATTACHING, states.DETACHED)

    assert _complete(api, attachment_id).status_code == 204
    shown = api.get(f'attachments/{attachment_id}', version=h.ATTACH).get_json()['attachment']
    assert shown['status'] == 'attached' and shown['attached_at']
    assert h.status_of(env, volume['id']) == h.IN_USE
    volume_body = api.get(f"volumes/{volume['id']}").get_json()['volume']
    assert volume_body['status'] == 'in-use'
    assert volume_body['metadata'] == {'attached_mode': 'rw'}
    [listed] = volume_body['attachments']
    assert (listed['attachment_id'], listed['server_id'], listed['device']) == \
        (attachment_id, h.SERVER, '/dev/vdb')

    response = api.delete(f'attachments/{attachment_id}', version=h.ATTACH)
    assert response.status_code == 200 and response.get_json() == {'attachments': []}
    [(_, _, _, connector)] = agent.named('terminate_connection')
    assert connector == h.CONNECTOR
    assert h.status_of(env, volume['id']) == h.AVAILABLE
    assert api.get(f"volumes/{volume['id']}").get_json()['volume']['metadata'] == {}
    h.refused(api.get(f'attachments/{attachment_id}', version=h.ATTACH), 404)


def test_a_create_with_a_connector_connects_at_once(env, api, agent, volume):
    response = h.create(api, volume['id'], connector=h.CONNECTOR)
    body = response.get_json()['attachment']
    assert body['status'] == 'attaching' and body['connection_info']['data']['format'] == 'raw'
    assert h.status_of(env, volume['id']) == (states.ATTACHING, states.DETACHED)


def test_a_connect_the_backend_cannot_answer_is_503_and_changes_nothing(env, api, agent,
                                                                          volume):
    attachment_id = h.create(api, volume['id']).get_json()['attachment']['id']
    agent.fail = 'timeout'
    assert 'did not answer' in h.refused(_update(api, attachment_id), 503)
    agent.fail = 'error'
    assert 'does not exist on this backend' in h.refused(_update(api, attachment_id), 503)
    shown = api.get(f'attachments/{attachment_id}', version=h.ATTACH).get_json()['attachment']
    assert shown['status'] == 'reserved' and shown['connection_info'] is None
    assert h.status_of(env, volume['id']) == (states.RESERVED, states.DETACHED)


def test_a_failed_create_with_a_connector_gives_the_reservation_back(env, api, agent,
                                                                       volume):
    agent.fail = 'error'
    h.refused(h.create(api, volume['id'], connector=h.CONNECTOR), 503)
    assert h.status_of(env, volume['id']) == h.AVAILABLE
    assert api.get('attachments', version=h.ATTACH).get_json()['attachments'] == []


def test_a_dead_agent_does_not_keep_a_volume_attached(env, api, agent, volume):
    attachment_id = h.attach(api, volume['id'])
    agent.fail = 'timeout'
    response = api.delete(f'attachments/{attachment_id}', version=h.ATTACH)
    assert response.status_code == 200
    assert len(agent.named('terminate_connection')) == 1
    assert h.status_of(env, volume['id']) == h.AVAILABLE


def test_a_reservation_is_deleted_without_asking_the_agent(env, api, agent, volume):
    attachment_id = h.create(api, volume['id']).get_json()['attachment']['id']
    assert api.delete(f'attachments/{attachment_id}', version=h.ATTACH).status_code == 200
    assert agent.calls == []
    assert h.status_of(env, volume['id']) == h.AVAILABLE


def test_a_reservation_may_be_completed_without_a_connector(env, api, volume):
    """Nova attaches a volume to a shelved-offloaded server so."""
    attachment_id = h.create(api, volume['id']).get_json()['attachment']['id']
    response = api.post(f'attachments/{attachment_id}/action', {'os-complete': {}},
                        version=h.ATTACH)
    assert response.status_code == 204
    assert h.status_of(env, volume['id']) == h.IN_USE


# --- sharing --------------------------------------------------------------------------


def test_an_attached_volume_is_not_attached_to_another_server(env, api, volume):
    h.attach(api, volume['id'])
    message = h.refused(h.create(api, volume['id'], h.OTHER_SERVER))
    assert message == (f"Invalid volume: Volume {volume['id']} status must be available to "
                       'reserve, but the current status is in-use.')
    assert len(api.get('attachments', version=h.ATTACH).get_json()['attachments']) == 1


def test_a_reserved_volume_is_not_reserved_again(env, api, volume):
    assert h.create(api, volume['id']).status_code == 200
    assert 'reserved' in h.refused(h.create(api, volume['id'], h.OTHER_SERVER))


def test_the_same_server_may_attach_again_for_a_live_migration(env, api, volume):
    h.attach(api, volume['id'])
    response = h.create(api, volume['id'], h.SERVER)
    assert response.status_code == 200
    assert h.status_of(env, volume['id']) == h.IN_USE


def test_a_multiattach_volume_is_shared_until_its_last_attachment_goes(env, api, volume):
    h.multiattach_type(api)
    shared = h.made_volume(env, volume_type='shared')
    assert api.get(f"volumes/{shared['id']}").get_json()['volume']['multiattach'] is True
    first = h.attach(api, shared['id'], h.SERVER)
    second = h.attach(api, shared['id'], h.OTHER_SERVER)
    assert len(api.get(f"volumes/{shared['id']}").get_json()['volume']['attachments']) == 2
    left = api.delete(f'attachments/{first}', version=h.ATTACH).get_json()['attachments']
    assert [a['id'] for a in left] == [second]
    assert h.status_of(env, shared['id']) == h.IN_USE
    api.delete(f'attachments/{second}', version=h.ATTACH)
    assert h.status_of(env, shared['id']) == h.AVAILABLE


def test_a_qcow2_volume_is_never_shared(env, api, agent):
    h.multiattach_type(api)
    shared = h.made_volume(env, volume_type='shared', fmt='qcow2')
    h.attach(api, shared['id'], h.SERVER)
    message = h.refused(h.create(api, shared['id'], h.OTHER_SERVER))
    assert 'qcow2' in message and 'more than one server' in message


def test_concurrent_reserves_of_a_volume_have_one_winner(env, api, agent, tmp_path):
    """On a database file, as in a deployment: each request in its own transaction."""
    database = Database(f'sqlite:///{tmp_path}/volume.db')
    migration.upgrade(database, MIGRATIONS)
    env.app.db = env.db = database
    volume = h.made_volume(env)
    barrier, codes = threading.Barrier(6), []

    def reserve(index):
        barrier.wait()
        server = f'00000000-0000-4000-8000-{index:012d}'
        codes.append(h.create(api, volume['id'], server).status_code)
    threads = [threading.Thread(target=reserve, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    database.dispose()
    assert sorted(codes) == [200] + [400] * 5
    assert h.status_of(env, volume['id']) == (states.RESERVED, states.DETACHED)


# --- other states of the volume -------------------------------------------------------


@pytest.mark.parametrize('complete', [False, True])
def test_an_attached_or_reserved_volume_cannot_be_deleted(env, api, volume, complete):
    if complete:
        h.attach(api, volume['id'])
    else:
        h.create(api, volume['id'])
    h.refused(api.delete(f"volumes/{volume['id']}"))
    assert env.conductor.named('delete_volume') == []


@pytest.mark.parametrize('status', ['available', 'error', 'creating', 'maintenance'])
def test_only_an_available_volume_is_reserved(env, api, agent, status):
    volume = h.made_volume(env)
    env.update_volume(volume['id'], status=status)
    response = h.create(api, volume['id'])
    if status == 'available':
        assert response.status_code == 200
    else:
        assert f'current status is {status}' in h.refused(response)


def test_resetting_the_attach_status_to_detached_clears_the_attachments(env, api, volume):
    attachment_id = h.attach(api, volume['id'])
    response = api.action(volume['id'], 'os-reset_status',
                          {'status': 'available', 'attach_status': 'detached'},
                          as_='cloud_admin')
    assert response.status_code == 202
    assert api.get('attachments', version=h.ATTACH).get_json()['attachments'] == []
    h.refused(api.get(f'attachments/{attachment_id}', version=h.ATTACH), 404)
    assert h.create(api, volume['id'], h.OTHER_SERVER).status_code == 200


def test_a_volume_in_maintenance_keeps_its_status_when_detached(env, api, volume):
    attachment_id = h.attach(api, volume['id'])
    env.update_volume(volume['id'], status=states.MAINTENANCE)
    assert api.delete(f'attachments/{attachment_id}', version=h.ATTACH).status_code == 200
    assert h.status_of(env, volume['id']) == (states.MAINTENANCE, states.DETACHED)


@pytest.mark.parametrize('readonly, mode, expected', [
    (True, None, 'ro'), (True, 'ro', 'ro'), (False, None, 'rw'), (False, 'ro', 'ro')])
def test_the_attach_mode_honours_the_readonly_flag(env, api, volume, readonly, mode, expected):
    api.action(volume['id'], 'os-update_readonly_flag', {'readonly': readonly})
    response = h.create(api, volume['id'], mode=mode)
    assert response.get_json()['attachment']['attach_mode'] == expected


def test_a_read_only_volume_is_not_attached_read_write(env, api, volume):
    api.action(volume['id'], 'os-update_readonly_flag', {'readonly': True})
    assert h.refused(h.create(api, volume['id'], mode='rw')) == \
        f"Invalid attaching mode 'rw' for volume {volume['id']}."


# --- lists ----------------------------------------------------------------------------


def test_lists_filter_by_volume_server_and_status(env, api, volume):
    other = h.made_volume(env)
    attached = h.attach(api, volume['id'], h.SERVER)
    reserved = h.create(api, other['id'], h.OTHER_SERVER).get_json()['attachment']['id']

    def ids(query=''):
        response = api.get(f'attachments{query}', version=h.ATTACH)
        assert response.status_code == 200
        return {a['id'] for a in response.get_json()['attachments']}
    assert ids() == {attached, reserved}
    assert ids(f"?volume_id={volume['id']}") == {attached}
    assert ids(f'?instance_id={h.OTHER_SERVER}') == {reserved}
    assert ids('?status=reserved') == {reserved}
    [summary] = api.get(f'attachments?volume_id={other["id"]}',
                        version=h.ATTACH).get_json()['attachments']
    assert set(summary) == {'id', 'status', 'instance', 'volume_id'}
    detailed = api.get('attachments/detail', version=h.ATTACH).get_json()['attachments']
    assert all(set(a) == DETAIL_KEYS for a in detailed)


def test_lists_are_paged_with_limit_and_marker(env, api, agent):
    made = [h.create(api, h.made_volume(env)['id']).get_json()['attachment']['id']
            for _ in range(3)]
    first = api.get('attachments?limit=2', version=h.ATTACH).get_json()['attachments']
    rest = api.get(f"attachments?limit=2&marker={first[-1]['id']}",
                   version=h.ATTACH).get_json()['attachments']
    assert sorted(a['id'] for a in first + rest) == sorted(made)
    h.refused(api.get('attachments?marker=nope', version=h.ATTACH), 404)


# --- microversions and bad input ------------------------------------------------------


@pytest.mark.parametrize('method, path', [
    ('GET', 'attachments'), ('GET', 'attachments/detail'), ('POST', 'attachments'),
    ('GET', 'attachments/x'), ('PUT', 'attachments/x'), ('DELETE', 'attachments/x')])
def test_the_attachments_api_is_not_found_below_3_27(api, method, path):
    response = api.request(method, path, version='3.26', body={'attachment': {}})
    assert h.refused(response, 404) == 'API version 3.26 is not supported on this method.'


def test_complete_is_not_found_below_3_44(env, api, volume):
    attachment_id = h.create(api, volume['id'], version='3.27').get_json()['attachment']['id']
    h.refused(_complete(api, attachment_id, version='3.43'), 404)
    assert _complete(api, attachment_id, version='3.44').status_code == 204


def test_mode_is_taken_from_3_54(env, api, volume):
    h.refused(h.create(api, volume['id'], version='3.53', mode='ro'))
    assert h.create(api, volume['id'], version='3.53').status_code == 200


@pytest.mark.parametrize('body', [
    {}, {'attachment': {}}, {'attachment': {'volume_uuid': 'not-a-uuid'}},
    {'attachment': {'volume_uuid': h.SERVER, 'instance_uuid': 'x'}},
    {'attachment': {'volume_uuid': h.SERVER, 'mode': 'rx'}},
    {'attachment': {'volume_uuid': h.SERVER, 'connector': 'host'}},
    {'attachment': {'volume_uuid': h.SERVER, 'color': 'red'}},
    [], 'text',
])
def test_bad_create_bodies_are_400(env, api, volume, body):
    h.refused(api.post('attachments', body, version=h.ATTACH))
    assert h.status_of(env, volume['id']) == h.AVAILABLE


@pytest.mark.parametrize('body', [
    {}, {'attachment': {}}, {'attachment': {'connector': None}},
    {'attachment': {'connector': 'compute-1'}}, {'attachment': {'connector': {}, 'x': 1}}])
def test_bad_update_bodies_are_400(env, api, agent, volume, body):
    attachment_id = h.create(api, volume['id']).get_json()['attachment']['id']
    h.refused(api.put(f'attachments/{attachment_id}', body, version=h.ATTACH))
    assert agent.calls == []


@pytest.mark.parametrize('body', [{'os-finish': None}, {}, {'os-complete': 'now'}])
def test_bad_actions_are_400(env, api, volume, body):
    attachment_id = h.create(api, volume['id']).get_json()['attachment']['id']
    h.refused(api.post(f'attachments/{attachment_id}/action', body, version=h.ATTACH))


def test_a_missing_volume_or_attachment_is_404(api, agent):
    missing = '5a1c9e6e-1f0b-4a59-9d61-1e8a5c3f7b20'
    assert h.refused(h.create(api, missing), 404) == f'Volume {missing} could not be found.'
    for response in (api.get(f'attachments/{missing}', version=h.ATTACH),
                     _update(api, missing), _complete(api, missing),
                     api.delete(f'attachments/{missing}', version=h.ATTACH)):
        assert h.refused(response, 404) == ('Volume attachment could not be found with filter: '
                                            f'attachment_id = {missing}.')


# --- who may ---------------------------------------------------------------------------


def test_another_project_can_neither_attach_nor_see_the_attachments(env, api, agent, volume):
    h.refused(api.post('attachments', {'attachment': {'volume_uuid': volume['id'],
                                                      'instance_uuid': h.SERVER}},
                       as_='other_member', version=h.ATTACH), 404)
    attachment_id = h.attach(api, volume['id'])
    other = {'as_': 'other_member', 'version': h.ATTACH}
    assert api.get('attachments', **other).get_json()['attachments'] == []
    assert api.get('attachments/detail?all_tenants=1', **other).get_json()['attachments'] == []
    assert api.get(f"attachments?volume_id={volume['id']}", **other).get_json() == \
        {'attachments': []}
    h.refused(api.get(f'attachments/{attachment_id}', **other), 404)
    h.refused(_update(api, attachment_id, as_='other_member'), 404)
    h.refused(_complete(api, attachment_id, as_='other_member'), 404)
    h.refused(api.delete(f'attachments/{attachment_id}', **other), 404)
    assert h.status_of(env, volume['id']) == h.IN_USE
    assert len(agent.named('initialize_connection')) == 1


def test_a_reader_sees_but_cannot_attach_or_detach(env, api, volume):
    attachment_id = h.create(api, volume['id']).get_json()['attachment']['id']
    reader = {'as_': 'reader', 'version': h.ATTACH}
    assert api.get(f'attachments/{attachment_id}', **reader).status_code == 200
    assert len(api.get('attachments', **reader).get_json()['attachments']) == 1
    other = h.made_volume(env)
    h.refused(api.post('attachments', {'attachment': {'volume_uuid': other['id']}}, **reader),
              403)
    h.refused(_update(api, attachment_id, as_='reader'), 403)
    h.refused(api.delete(f'attachments/{attachment_id}', **reader), 403)


def test_a_cloud_admin_lists_every_project_with_all_tenants(env, api, volume):
    attachment_id = h.create(api, volume['id']).get_json()['attachment']['id']
    admin = {'as_': 'cloud_admin', 'version': h.ATTACH}
    assert api.get('attachments', **admin).get_json()['attachments'] == []
    listed = api.get('attachments?all_tenants=True', **admin).get_json()['attachments']
    assert [a['id'] for a in listed] == [attachment_id]
    assert api.get(f'attachments/{attachment_id}', **admin).status_code == 200
