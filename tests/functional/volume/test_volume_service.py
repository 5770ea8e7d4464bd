"""The whole volume service, with its real processes on RabbitMQ: the API
under gunicorn, a conductor and file-backend agents making real files.

A blank volume becomes a sparse file of its size on its backend; a clone
a copy beside it; extending grows the file; deleting removes it.  What
cannot be placed (a type naming a backend nobody serves, a backend whose
agent stopped) ends in ``error`` instead of staying ``creating``.  Each
test runs on SQLite, MariaDB and PostgreSQL (the session's ``identity``
fixture).
"""
import os
import time

import pytest

import stratus
from stratus import exceptions
from tests import servers

GiB = 1024 ** 3


@pytest.fixture
def project(make_account):
    """A member of a new project."""
    return make_account(roles=('member', 'reader'))


def _client(volume, account):
    return volume.client(account.token, account.project_id)


def _create(client, **attrs):
    response = client.post('/volumes', json={'volume': {
        'size': 1, 'name': servers.unique_name('vol'), **attrs}})
    assert response.status_code == 202, response.text
    return response.json()['volume']


def _wait_for(client, volume_id, status, timeout=60):
    """The volume once its status is ``status``; fails at once on an unexpected ``error``."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f'/volumes/{volume_id}')
        assert response.status_code == 200, response.text
        found = response.json()['volume']
        if found['status'] == status:
            return found
        assert found['status'] != 'error', f'volume {volume_id} went to error'
        assert time.monotonic() < deadline, \
            f'volume {volume_id} is {found["status"]} after {timeout} s, not {status}'
        time.sleep(0.3)


def _wait_gone(client, volume_id, timeout=60):
    deadline = time.monotonic() + timeout
    while client.get(f'/volumes/{volume_id}').status_code != 404:
        assert time.monotonic() < deadline, f'volume {volume_id} still exists after {timeout} s'
        time.sleep(0.3)


def _volume_file(volume, volume_id):
    """The file of the volume on whichever backend holds it, or ``None``."""
    paths = [a.volume_path(volume_id) for a in volume.agents]
    found = [p for p in paths if os.path.exists(p)]
    assert len(found) <= 1, found
    return found[0] if found else None


def test_blank_volume_clone_extend_and_delete_make_and_remove_real_files(volume, project):
    client = _client(volume, project)
    created = _create(client)
    assert created['status'] == 'creating'
    source = _wait_for(client, created['id'], 'available')
    source_file = _volume_file(volume, source['id'])
    assert source_file is not None, 'no file on any backend'
    assert os.path.getsize(source_file) == 1 * GiB

    clone = _wait_for(client, _create(client, source_volid=source['id'])['id'], 'available')
    clone_file = _volume_file(volume, clone['id'])
    assert clone_file is not None and os.path.getsize(clone_file) == 1 * GiB
    # A clone is made by the backend of its source.
    assert os.path.dirname(clone_file) == os.path.dirname(source_file)
    assert clone['source_volid'] == source['id']

    extended = client.post(f'/volumes/{source["id"]}/action',
                           json={'os-extend': {'new_size': 2}})
    assert extended.status_code == 202, extended.text
    deadline = time.monotonic() + 60
    while (found := _wait_for(client, source['id'], 'available'))['size'] != 2:
        assert time.monotonic() < deadline, found
        time.sleep(0.3)
    assert os.path.getsize(source_file) == 2 * GiB

    for volume_id, path in ((clone['id'], clone_file), (source['id'], source_file)):
        deleted = client.delete(f'/volumes/{volume_id}')
        assert deleted.status_code == 202, deleted.text
        _wait_gone(client, volume_id)
        assert not os.path.exists(path)


def test_a_type_naming_a_backend_nobody_serves_puts_the_volume_in_error(volume, project):
    admin = volume.admin()
    made = admin.post('/types', json={'volume_type': {
        'name': servers.unique_name('type'),
        'extra_specs': {'volume_backend_name': 'no-such-backend'}}})
    assert made.status_code == 200, made.text
    volume_type = made.json()['volume_type']
    client = _client(volume, project)
    created = _create(client, volume_type=volume_type['name'])
    deadline = time.monotonic() + 60
    while True:
        found = client.get(f'/volumes/{created["id"]}').json()['volume']
        if found['status'] != 'creating':
            break
        assert time.monotonic() < deadline, 'the volume is still creating after 60 s'
        time.sleep(0.3)
    assert found['status'] == 'error'
    assert found['volume_type'] == volume_type['name']
    assert _volume_file(volume, created['id']) is None
    deleted = client.delete(f'/volumes/{created["id"]}')
    assert deleted.status_code == 202, deleted.text
    _wait_gone(client, created['id'])


def test_a_stopped_agent_shows_down_and_creates_fail_instead_of_hanging(
        identity, database_backend, project, tmp_path):
    """A deployment of its own: stopping the session's agents would disturb the other tests."""
    with servers.database(database_backend, str(tmp_path)) as url:
        server = servers.VolumeServer(str(tmp_path), url, identity, report_interval=1,
                                      service_down_time=3).start()
        try:
            agent = server.agents[0]
            admin = server.admin()
            assert server.service_states(admin) == {agent.backend: 'up'}
            agent.stop()
            server.wait_for_backends([agent.backend], state='down', timeout=30)
            listed = admin.get('/os-services', params={'binary': 'cinder-volume'})
            assert [s['state'] for s in listed.json()['services']] == ['down']

            client = server.client(project.token, project.project_id)
            created = _create(client)
            deadline = time.monotonic() + 30
            while (found := client.get(f'/volumes/{created["id"]}').json()['volume'])[
                    'status'] == 'creating':
                assert time.monotonic() < deadline, 'the volume is still creating after 30 s'
                time.sleep(0.3)
            assert found['status'] == 'error'
            assert not os.listdir(agent.volumes_dir)
        finally:
            server.stop()


def _connect(identity, account):
    return stratus.connect(auth_url=f'{identity.url}/v3', username=account.name,
                           password=account.password, project_name=account.project_name,
                           user_domain_name='Default', project_domain_name='Default',
                           region_name='RegionOne')


def test_projects_are_isolated_through_the_sdk(volume, identity, make_account):
    """Another project's volume is a 404 for every operation, as in Cinder; the
    owner's SDK connection finds the service in the catalog (``block-storage``)."""
    owner, other = make_account(), make_account()
    with _connect(identity, owner) as mine, _connect(identity, other) as theirs:
        assert mine.block_storage.base_url().startswith(volume.url)
        created = mine.block_storage.create_volume(size=1, name=servers.unique_name('vol'))
        mine.block_storage.wait_for_status(created, interval=0.3, wait=60)
        assert created.id in {v.id for v in mine.block_storage.volumes()}

        assert created.id not in {v.id for v in theirs.block_storage.volumes()}
        assert theirs.block_storage.find_volume(created.name, ignore_missing=True) is None
        for attempt in (lambda: theirs.block_storage.get_volume(created.id),
                        lambda: theirs.block_storage.update_volume(created.id, name='taken'),
                        lambda: theirs.block_storage.extend_volume(created.id, 2),
                        lambda: theirs.block_storage.delete_volume(created.id,
                                                                   ignore_missing=False)):
            with pytest.raises(exceptions.NotFound):
                attempt()
        with pytest.raises(exceptions.NotFound):
            theirs.block_storage.create_volume(size=1, source_volid=created.id)

        unchanged = mine.block_storage.get_volume(created.id)
        assert (unchanged.name, unchanged.size, unchanged.status) == \
            (created.name, 1, 'available')
        mine.block_storage.delete_volume(created)
        mine.block_storage.wait_for_delete(created, interval=0.3, wait=60)
