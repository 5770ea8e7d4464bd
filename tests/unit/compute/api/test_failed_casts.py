"""A request whose cast to the conductor cannot be sent answers 503 and changes nothing.

RabbitMQ refusing the message means no conductor will ever finish the
task, so the API undoes what it committed before the cast: the server is
left exactly as it was, no instance action is recorded, no ``.start``
notification is sent, and no image is left behind.
"""
import base64
import datetime
import json

import pytest
import sqlalchemy as sa

from compute import states
from compute.db import models as m
from tests.unit.compute.api import server_fakes as fakes

LAUNCHED = datetime.datetime(2026, 1, 1, 12, 0, 0)
# The columns a rebuild may change (besides task_state and updated_at).
REBUILT_COLUMNS = ('image_ref', 'display_name', 'description', 'access_ip_v4', 'access_ip_v6',
                   'auto_disk_config', 'key_name', 'key_data', 'user_data', 'request_spec',
                   'progress', 'vm_state', 'task_state', 'power_state')


@pytest.fixture
def cloud(env, monkeypatch):
    """A compute API whose conductor cannot be reached; ``cloud.sent`` notifications."""
    fakes.prepare(env)
    env.app.images.images[fakes.OTHER_IMAGE_ID] = fakes.FakeImages.image(
        fakes.OTHER_IMAGE_ID, properties={'os_distro': 'other'})

    def unreachable(*args, **kwargs):
        raise ConnectionError('AMQP server on 127.0.0.1:5672 is unreachable')
    monkeypatch.setattr(env.conductor, 'run_action', unreachable)
    env.sent = []
    monkeypatch.setattr(env.app.notifier, 'info',
                        lambda ctx, event_type, payload: env.sent.append(event_type))
    return env


def _server(cloud, **columns):
    uuid = fakes.make_server(
        cloud, launched_at=LAUNCHED, description='before', key_name='old-key',
        key_data='ssh-ed25519 OLD', user_data=base64.b64encode(b'old').decode(),
        access_ip_v4='192.0.2.1', progress=100,
        request_spec=json.dumps({'image': {'id': fakes.IMAGE_ID, 'properties': {}}}),
        **columns)
    with cloud.db.writer() as session:
        session.add(m.InstanceMetadata(instance_uuid=uuid, key='a', value='1'))
    return uuid


def _row(cloud, uuid):
    with cloud.db.reader() as session:
        row = session.execute(sa.select(m.Instance).where(m.Instance.uuid == uuid)).scalar_one()
        metadata = dict(session.execute(
            sa.select(m.InstanceMetadata.key, m.InstanceMetadata.value)
            .where(m.InstanceMetadata.instance_uuid == uuid)).all())
        actions = session.execute(sa.select(m.InstanceAction.action).where(
            m.InstanceAction.instance_uuid == uuid)).scalars().all()
        return {c: getattr(row, c) for c in REBUILT_COLUMNS}, metadata, actions


def test_a_rebuild_that_cannot_be_cast_leaves_the_server_as_it_was(cloud):
    with cloud.db.writer() as session:
        session.add(m.KeyPair(name='new-key', user_id='user-member', fingerprint='f',
                              public_key='ssh-ed25519 NEW'))
    uuid = _server(cloud)
    before = _row(cloud, uuid)
    body = {'rebuild': {'imageRef': fakes.OTHER_IMAGE_ID, 'name': 'renamed',
                        'description': 'after', 'metadata': {'b': '2'},
                        'accessIPv4': '192.0.2.2', 'OS-DCF:diskConfig': 'AUTO',
                        'key_name': 'new-key',
                        'user_data': base64.b64encode(b'new').decode()}}
    response = cloud.api.post(f'/v2.1/servers/{uuid}/action', body, version='2.57')
    assert response.status_code == 503
    assert 'the action was not started' in response.json['serviceUnavailable']['message']
    assert _row(cloud, uuid) == before
    assert before[1] == {'a': '1'} and before[2] == []
    assert cloud.sent == []


def test_a_rebuild_without_metadata_keeps_the_metadata_when_the_cast_fails(cloud):
    uuid = _server(cloud)
    before = _row(cloud, uuid)
    response = cloud.api.post(f'/v2.1/servers/{uuid}/action',
                              {'rebuild': {'imageRef': fakes.OTHER_IMAGE_ID}}, version='2.60')
    assert response.status_code == 503
    assert _row(cloud, uuid) == before


@pytest.mark.parametrize('task_state', [None, states.POWERING_OFF])
def test_a_delete_that_cannot_be_cast_puts_the_task_back(cloud, task_state):
    uuid = _server(cloud, task_state=task_state)
    response = cloud.api.delete(f'/v2.1/servers/{uuid}')
    assert response.status_code == 503
    assert 'the server was not deleted' in response.json['serviceUnavailable']['message']
    row, _metadata, actions = _row(cloud, uuid)
    assert (row['vm_state'], row['task_state']) == (states.ACTIVE, task_state)
    assert actions == [] and cloud.sent == []
    assert cloud.api.get(f'/v2.1/servers/{uuid}').status_code == 200


def test_a_snapshot_that_cannot_be_cast_deletes_its_image(cloud):
    uuid = _server(cloud)
    before = _row(cloud, uuid)
    response = cloud.api.post(f'/v2.1/servers/{uuid}/action',
                              {'createImage': {'name': 'snap'}}, version='2.45')
    assert response.status_code == 503
    (snapshot,) = cloud.app.images.snapshots
    assert cloud.app.images.deleted == [snapshot['id']]
    assert _row(cloud, uuid) == before
    assert cloud.sent == []
