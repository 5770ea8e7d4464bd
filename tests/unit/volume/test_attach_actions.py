"""The older attach actions of volumes (os-reserve … os-detach), as clients before the
attachments API drive them."""
import pytest

from tests.unit.volume import attach_helpers as h
from volume import states

MOUNT = {'instance_uuid': h.SERVER, 'mountpoint': '/dev/vdb', 'mode': 'rw'}


@pytest.fixture
def agent(env):
    return h.install_agent(env)


@pytest.fixture
def volume(env, agent):
    return h.made_volume(env)


def _act(api, volume_id, name, args=None, code=202, **kwargs):
    response = api.action(volume_id, name, args, **kwargs)
    assert response.status_code == code, response.get_data(as_text=True)
    return response


def test_the_whole_older_flow(env, api, agent, volume):
    volume_id = volume['id']
    _act(api, volume_id, 'os-reserve')
    assert h.status_of(env, volume_id) == (states.ATTACHING, states.DETACHED)

    response = _act(api, volume_id, 'os-initialize_connection', {'connector': h.CONNECTOR},
                    code=200)
    info = response.get_json()['connection_info']
    assert info['driver_volume_type'] == 'file'
    assert info['data']['device_path'] == f'{h.VOLUMES_DIR}/volume-{volume_id}'
    assert info['data']['access_mode'] == 'rw'
    assert h.status_of(env, volume_id) == (states.ATTACHING, states.DETACHED)

    _act(api, volume_id, 'os-attach', MOUNT)
    assert h.status_of(env, volume_id) == h.IN_USE
    body = api.get(f'volumes/{volume_id}').get_json()['volume']
    [attachment] = body['attachments']
    assert (attachment['server_id'], attachment['device']) == (h.SERVER, '/dev/vdb')
    assert body['metadata'] == {'attached_mode': 'rw'}

    _act(api, volume_id, 'os-begin_detaching')
    assert h.status_of(env, volume_id) == (states.DETACHING, states.ATTACHED)
    _act(api, volume_id, 'os-roll_detaching')
    assert h.status_of(env, volume_id) == h.IN_USE
    _act(api, volume_id, 'os-begin_detaching')
    _act(api, volume_id, 'os-terminate_connection', {'connector': h.CONNECTOR})
    assert agent.named('terminate_connection')[0][3] == h.CONNECTOR
    _act(api, volume_id, 'os-detach', {'attachment_id': attachment['attachment_id']})
    assert h.status_of(env, volume_id) == h.AVAILABLE
    assert api.get(f'volumes/{volume_id}').get_json()['volume']['attachments'] == []


def test_unreserve_gives_the_volume_back(env, api, volume):
    _act(api, volume['id'], 'os-reserve')
    _act(api, volume['id'], 'os-unreserve')
    assert h.status_of(env, volume['id']) == h.AVAILABLE


def test_a_reserved_volume_is_not_reserved_again(api, volume):
    _act(api, volume['id'], 'os-reserve')
    assert h.refused(api.action(volume['id'], 'os-reserve')) == \
        'Invalid volume: Volume status must be available to reserve, but the current ' \
        'status is attaching.'


def test_an_attached_volume_is_not_attached_to_another_server(env, api, volume):
    _act(api, volume['id'], 'os-attach', MOUNT)
    h.refused(api.action(volume['id'], 'os-reserve'))
    h.refused(api.action(volume['id'], 'os-attach', {**MOUNT, 'instance_uuid': h.OTHER_SERVER}))
    _act(api, volume['id'], 'os-attach', MOUNT)  # the same server again: nothing changes
    assert len(api.get(f"volumes/{volume['id']}").get_json()['volume']['attachments']) == 1


def test_a_multiattach_volume_is_attached_to_two_servers_and_detached_by_id(env, api, agent):
    h.multiattach_type(api)
    shared = h.made_volume(env, volume_type='shared')
    _act(api, shared['id'], 'os-attach', MOUNT)
    _act(api, shared['id'], 'os-reserve')
    _act(api, shared['id'], 'os-attach', {**MOUNT, 'instance_uuid': h.OTHER_SERVER})
    attachments = api.get(f"volumes/{shared['id']}").get_json()['volume']['attachments']
    assert len(attachments) == 2
    assert 'More than one attachment' in h.refused(api.action(shared['id'], 'os-detach'))
    _act(api, shared['id'], 'os-detach', {'attachment_id': attachments[0]['attachment_id']})
    assert h.status_of(env, shared['id']) == h.IN_USE
    _act(api, shared['id'], 'os-detach')
    assert h.status_of(env, shared['id']) == h.AVAILABLE


def test_a_qcow2_volume_is_never_shared(env, api, agent):
    h.multiattach_type(api)
    shared = h.made_volume(env, volume_type='shared', fmt='qcow2')
    _act(api, shared['id'], 'os-attach', MOUNT)
    assert 'qcow2' in h.refused(api.action(shared['id'], 'os-reserve'))
    assert 'qcow2' in h.refused(api.action(shared['id'], 'os-attach',
                                           {**MOUNT, 'instance_uuid': h.OTHER_SERVER}))


def test_a_volume_is_attached_to_a_host(env, api, volume):
    _act(api, volume['id'], 'os-attach', {'host_name': 'backup-host', 'mountpoint': '/mnt'})
    [attachment] = api.get(f"volumes/{volume['id']}").get_json()['volume']['attachments']
    assert attachment['server_id'] is None and attachment['device'] == '/mnt'


def test_begin_detaching_needs_an_attached_volume(api, volume):
    assert h.refused(api.action(volume['id'], 'os-begin_detaching')) == (
        "Invalid volume: Unable to detach volume. Volume status must be 'in-use' and "
        "attach_status must be 'attached' to detach.")


def test_a_dead_agent_does_not_block_terminate_connection(env, api, agent, volume):
    _act(api, volume['id'], 'os-attach', MOUNT)
    agent.fail = 'timeout'
    _act(api, volume['id'], 'os-terminate_connection', {'connector': h.CONNECTOR})
    _act(api, volume['id'], 'os-detach')
    assert h.status_of(env, volume['id']) == h.AVAILABLE


@pytest.mark.parametrize('fail', ['timeout', 'error'])
def test_a_connection_the_backend_cannot_give_is_503(api, agent, volume, fail):
    agent.fail = fail
    h.refused(api.action(volume['id'], 'os-initialize_connection', {'connector': h.CONNECTOR}),
              503)


def test_a_read_only_volume_connects_read_only(api, volume):
    api.action(volume['id'], 'os-update_readonly_flag', {'readonly': True})
    response = _act(api, volume['id'], 'os-initialize_connection',
                    {'connector': h.CONNECTOR}, code=200)
    assert response.get_json()['connection_info']['data']['access_mode'] == 'ro'
    h.refused(api.action(volume['id'], 'os-attach', MOUNT))


def test_a_volume_in_maintenance_is_not_connected(env, api, agent, volume):
    env.update_volume(volume['id'], status=states.MAINTENANCE)
    h.refused(api.action(volume['id'], 'os-initialize_connection', {'connector': h.CONNECTOR}))
    assert agent.calls == []


def test_a_volume_no_backend_holds_is_not_connected(env, api, agent):
    volume = api.volume()
    h.refused(api.action(volume['id'], 'os-initialize_connection', {'connector': h.CONNECTOR}))
    assert agent.calls == []


@pytest.mark.parametrize('name, args', [
    ('os-attach', {'mountpoint': '/dev/vdb'}),
    ('os-attach', {**MOUNT, 'host_name': 'h'}),
    ('os-attach', {'instance_uuid': h.SERVER}),
    ('os-attach', {**MOUNT, 'mode': 'rx'}),
    ('os-attach', {**MOUNT, 'instance_uuid': 'nope'}),
    ('os-detach', {'attachment_id': 'nope'}),
    ('os-initialize_connection', {}),
    ('os-initialize_connection', {'connector': 'compute-1'}),
    ('os-terminate_connection', None),
    ('os-reserve', {'force': True}),
])
def test_bad_action_bodies_are_400(env, api, agent, volume, name, args):
    h.refused(api.action(volume['id'], name, args))
    assert h.status_of(env, volume['id']) == h.AVAILABLE
    assert agent.calls == []


def test_detaching_an_unknown_attachment_is_404(api, volume):
    _act(api, volume['id'], 'os-attach', MOUNT)
    h.refused(api.action(volume['id'], 'os-detach',
                         {'attachment_id': '5a1c9e6e-1f0b-4a59-9d61-1e8a5c3f7b20'}), 404)


@pytest.mark.parametrize('name, args', [
    ('os-reserve', None), ('os-unreserve', None), ('os-begin_detaching', None),
    ('os-roll_detaching', None), ('os-attach', MOUNT), ('os-detach', None),
    ('os-initialize_connection', {'connector': h.CONNECTOR}),
    ('os-terminate_connection', {'connector': h.CONNECTOR}),
])
def test_another_project_cannot_act_and_a_reader_may_not(env, api, agent, volume, name, args):
    h.refused(api.action(volume['id'], name, args, as_='other_member'), 404)
    h.refused(api.action(volume['id'], name, args, as_='reader'), 403)
    assert h.status_of(env, volume['id']) == h.AVAILABLE
    assert agent.calls == []
