"""A second identity API on the session's database: key rotation and notifications.

Both change the server's own state (its key repository, its notifier), so
they run on a server of their own rather than on the session's one, whose
tokens other tests hold.
"""
import json

import pytest
import requests

from tests import servers


@pytest.fixture(scope='module')
def second_identity(extra_identity):
    """An identity API with the real notifier (``messagingv2`` on RabbitMQ)."""
    return extra_identity(notifications=True)


def validate(server, auth_token, subject_token, times=8):
    """The statuses of validating ``subject_token`` on fresh connections (any worker)."""
    return {requests.get(f'{server.url}/v3/auth/tokens', timeout=30, headers={
        'X-Auth-Token': auth_token, 'X-Subject-Token': subject_token,
        'Connection': 'close'}).status_code for _ in range(times)}


def test_key_rotation_while_serving(second_identity):
    server = second_identity
    before, _ = server.issue_token('admin', servers.ADMIN_PASSWORD, project='admin')

    server.manage('fernet-rotate')
    after_one, _ = server.issue_token('admin', servers.ADMIN_PASSWORD, project='admin')
    # The running workers read the new keys: tokens from before still validate,
    # and new ones (signed with the new primary key) too.
    assert validate(server, after_one, before) == {200}
    assert validate(server, before, after_one) == {200}

    server.manage('fernet-rotate')
    after_two, _ = server.issue_token('admin', servers.ADMIN_PASSWORD, project='admin')
    # With max_active_keys = 3, the key that signed ``before`` is gone now,
    # while the one that signed ``after_one`` is kept.
    assert validate(server, after_two, before) == {404}
    assert validate(server, after_two, after_one) == {200}
    assert validate(server, after_one, after_two) == {200}
    presented = requests.get(f'{server.url}/v3/auth/catalog', timeout=30,
                             headers={'X-Auth-Token': before})
    assert presented.status_code == 401


def test_project_created_notification_reaches_rabbitmq(second_identity):
    admin = second_identity.client()
    name = servers.unique_name('notified')
    with servers.NotificationQueue() as bus:
        created = admin.post('/v3/projects', json={'project': {'name': name}})
        assert created.status_code == 201, created.text
        project_id = created.json()['project']['id']
        duplicate = admin.post('/v3/projects', json={'project': {'name': name}})
        assert duplicate.status_code == 409
        deleted = admin.delete(f'/v3/projects/{project_id}')
        assert deleted.status_code == 204

        def about_project(message):
            return message['payload'] == {'resource_info': project_id}

        found = bus.wait_for(lambda m: about_project(m) and
                             m['event_type'] == 'identity.project.deleted')
        assert found, bus.received
        bus.drain(0.5)
        events = [m for m in bus.received if about_project(m)]

    # One "created" (the refused duplicate committed nothing), then one "deleted".
    assert [m['event_type'] for m in events] == ['identity.project.created',
                                                 'identity.project.deleted']
    created_event = events[0]
    assert created_event['publisher_id'] == 'identity'
    assert created_event['priority'] == 'INFO'
    assert created_event['message_id'] and created_event['timestamp']
    # The request's context travels with it: who did it, in which request.
    assert created_event['_context_request_id'] == created.headers['X-Openstack-Request-Id']
    assert created_event['_context_user'] == admin.get(
        '/v3/auth/tokens', headers={'X-Subject-Token': admin.token}).json()['token']['user']['id']
    # ... but never the caller's token: every consumer of the bus would hold it.
    assert created_event['_context_auth_token'] is None
    assert admin.token not in json.dumps(events)
    assert events[1]['_context_request_id'] == deleted.headers['X-Openstack-Request-Id']
