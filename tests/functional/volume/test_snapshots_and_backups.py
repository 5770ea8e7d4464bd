"""Snapshots and backups through the whole volume service (API under gunicorn, a
conductor and file-backend agents on RabbitMQ), making and removing real files:
a snapshot beside its volume, a volume made from it with its data, full and
incremental backups in the agent's backup directory, restores onto a new and
an existing volume, and deletes.  Agents show as ``cinder-backup`` services too.
A conductor runs snapshot policies: snapshots taken when due, pruned to max_snaps.
"""
import datetime
import os
import time

import sqlalchemy as sa

from tests import servers

GiB = 1024 ** 3
MARK = b'stratus-snapshot-marker'


def _wait(client, collection, key, item_id, status, timeout=90):
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f'/{collection}/{item_id}')
        assert response.status_code == 200, response.text
        found = response.json()[key]
        if found['status'] == status:
            return found
        assert found['status'] not in ('error', 'error_deleting', 'error_restoring'), found
        assert time.monotonic() < deadline, f'{key} {item_id} is {found["status"]}, not {status}'
        time.sleep(0.3)


def _wait_gone(client, collection, item_id, timeout=90):
    deadline = time.monotonic() + timeout
    while client.get(f'/{collection}/{item_id}').status_code != 404:
        assert time.monotonic() < deadline, f'{collection}/{item_id} still there'
        time.sleep(0.3)


def _post(client, path, body, code=202):
    response = client.post(path, json=body)
    assert response.status_code == code, response.text
    return response.json()


def _file_of(volume, volume_id):
    [path] = [p for p in (a.volume_path(volume_id) for a in volume.agents) if os.path.exists(p)]
    return path


def _write_mark(path):
    with open(path, 'r+b') as disk:
        disk.seek(GiB // 2)
        disk.write(MARK)


def _has_mark(path):
    with open(path, 'rb') as disk:
        disk.seek(GiB // 2)
        return disk.read(len(MARK)) == MARK


def test_snapshot_clone_backup_restore_and_delete(volume, make_account):
    account = make_account(roles=('member', 'reader'))
    client = volume.client(account.token, account.project_id)
    source = _post(client, '/volumes', {'volume': {'size': 1,
                                                   'name': servers.unique_name('vol')}})
    source = _wait(client, 'volumes', 'volume', source['volume']['id'], 'available')
    source_file = _file_of(volume, source['id'])
    _write_mark(source_file)  # raw file volumes: the guest's bytes are the file's

    snapshot = _post(client, '/snapshots', {'snapshot': {'volume_id': source['id']}})
    snapshot = _wait(client, 'snapshots', 'snapshot', snapshot['snapshot']['id'], 'available')
    snapshot_file = os.path.join(os.path.dirname(source_file), f'snapshot-{snapshot["id"]}')
    assert os.path.exists(snapshot_file)

    copy = _post(client, '/volumes', {'volume': {'size': 1, 'snapshot_id': snapshot['id']}})
    copy = _wait(client, 'volumes', 'volume', copy['volume']['id'], 'available')
    assert _has_mark(_file_of(volume, copy['id']))

    full = _post(client, '/backups', {'backup': {'volume_id': source['id']}})['backup']
    full = _wait(client, 'backups', 'backup', full['id'], 'available')
    assert _wait(client, 'volumes', 'volume', source['id'], 'available')
    incremental = _post(client, '/backups', {'backup': {'volume_id': source['id'],
                                                        'incremental': True}})['backup']
    incremental = _wait(client, 'backups', 'backup', incremental['id'], 'available')
    assert incremental['is_incremental'] is True
    assert client.get(f'/backups/{full["id"]}').json()['backup']['has_dependent_backups']

    restored = _post(client, f'/backups/{incremental["id"]}/restore', {'restore': {}})
    restored = _wait(client, 'volumes', 'volume', restored['restore']['volume_id'],
                     'available')
    assert _has_mark(_file_of(volume, restored['id']))
    # Onto an existing volume: the copy, on the backend whose agent holds the backups.
    _post(client, f'/backups/{full["id"]}/restore', {'restore': {'volume_id': copy['id']}})
    _wait(client, 'backups', 'backup', full['id'], 'available')
    assert _has_mark(_file_of(volume, _wait(client, 'volumes', 'volume', copy['id'],
                                            'available')['id']))

    refused = client.delete(f'/backups/{full["id"]}')
    assert refused.status_code == 400, refused.text
    for backup_id in (incremental['id'], full['id']):
        assert client.delete(f'/backups/{backup_id}').status_code == 202
        _wait_gone(client, 'backups', backup_id)
    assert client.delete(f'/snapshots/{snapshot["id"]}').status_code == 202
    _wait_gone(client, 'snapshots', snapshot['id'])
    assert not os.path.exists(snapshot_file)
    for volume_id in (copy['id'], restored['id'], source['id']):
        assert client.delete(f'/volumes/{volume_id}').status_code == 202
        _wait_gone(client, 'volumes', volume_id)

    services = volume.admin().get('/os-services', params={'binary': 'cinder-backup'})
    assert {s['host'] for s in services.json()['services']} == {
        a.backend for a in volume.agents}


def _policy_snapshots(client, policy_id):
    listed = client.get('/snapshots/detail').json()['snapshots']
    return [s for s in listed if s['metadata'].get('stratus:snapshot_policy') == policy_id]


def _make_due(database_url, policy_id):
    """Bring the policy's next run to now (its schedule is at most hourly)."""
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(
                'UPDATE snapshot_policies SET next_run_at = :now WHERE id = :id'),
                {'now': datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
                 - datetime.timedelta(seconds=1),
                 'id': policy_id})
    finally:
        engine.dispose()


def test_a_conductor_runs_snapshot_policies(identity, database_backend, make_account,
                                            tmp_path):
    """A deployment of its own, whose conductor runs the policies every second."""
    with servers.database(database_backend, str(tmp_path)) as url:
        server = servers.VolumeServer(
            str(tmp_path), url, identity,
            extra_conf='[conductor]\nsnapshot_policy_interval = 1\n').start()
        try:
            account = make_account(roles=('member', 'reader'))
            client = server.client(account.token, account.project_id)
            made = _post(client, '/volumes', {'volume': {'size': 1}})['volume']
            _wait(client, 'volumes', 'volume', made['id'], 'available')
            policy = _post(client, '/snapshot-policies', {'snapshot_policy': {
                'volume_id': made['id'], 'interval_type': 'hourly', 'schedule': '0',
                'max_snaps': 1}}, code=200)['snapshot_policy']
            taken = []
            for _ in range(2):
                _make_due(url, policy['id'])
                deadline = time.monotonic() + 60
                while not [s for s in _policy_snapshots(client, policy['id'])
                           if s['status'] == 'available' and s['id'] not in taken]:
                    assert time.monotonic() < deadline, 'no snapshot was taken'
                    time.sleep(0.3)
                [new] = [s['id'] for s in _policy_snapshots(client, policy['id'])
                         if s['id'] not in taken]
                taken.append(new)
            # The older one is pruned to keep max_snaps = 1.
            _wait_gone(client, 'snapshots', taken[0])
            assert [s['id'] for s in _policy_snapshots(client, policy['id'])] == [taken[1]]
            shown = client.get(f'/snapshot-policies/{policy["id"]}').json()['snapshot_policy']
            assert shown['last_run_at'] is not None
        finally:
            server.stop()
