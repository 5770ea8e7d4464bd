"""``os-server-external-events`` through the real API, RabbitMQ and conductors.

A user with the ``service`` role (as the network service's own user is)
reports events with the SDK's ``create_server_external_events``; the API
answers per event and casts the accepted ones to a conductor (RPC 1.1),
whose log shows it handled them.  Project members may not report events.
"""
import time
import uuid

import pytest

import stratus
from stratus import exceptions
from tests.functional.compute import helpers


def _connect(identity, account):
    return stratus.connect(auth_url=f'{identity.url}/v3', username=account.name,
                           password=account.password, project_name=account.project_name,
                           user_domain_name='Default', project_domain_name='Default',
                           region_name='RegionOne')


@pytest.fixture
def service_conn(compute, identity, make_account):
    conn = _connect(identity, make_account(roles=('service',)))
    yield conn
    conn.close()


@pytest.fixture
def active_server(compute, image, make_account):
    """``(member account, server id)`` of an ACTIVE server without ports."""
    account = make_account()
    client = compute.client(account.token)
    flavor = helpers.make_flavor(compute.admin())
    server_id = helpers.create_server(client, helpers.make_image(image, account.token),
                                      flavor['id'])
    helpers.wait_for_status(client, server_id, 'ACTIVE')
    yield account, server_id
    client.delete(f'/servers/{server_id}')


def _conductor_logged(compute, text, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for conductor in compute.conductors:
            with open(conductor.log_path) as log:
                if text in log.read():
                    return True
        time.sleep(0.2)
    return False


def test_a_service_reports_events_and_a_conductor_handles_them(compute, service_conn,
                                                               active_server):
    _account, server_id = active_server
    port_id, unknown = str(uuid.uuid4()), str(uuid.uuid4())
    answers = service_conn.compute.create_server_external_events([
        {'name': 'network-vif-plugged', 'server_uuid': server_id, 'tag': port_id,
         'status': 'completed'},
        {'name': 'network-vif-plugged', 'server_uuid': unknown, 'tag': port_id}])
    assert [(a.server_uuid, a.code, a.status) for a in answers] == [
        (server_id, 200, 'completed'), (unknown, 404, 'failed')]
    # The server has no such port: the conductor records nothing, and says so.
    assert _conductor_logged(compute, f'Port {port_id} is not a port of server {server_id}')
    assert helpers.show(compute.admin(), server_id)['status'] == 'ACTIVE'


def test_events_of_no_existing_server_are_404(service_conn):
    with pytest.raises(exceptions.NotFound):
        service_conn.compute.create_server_external_events([
            {'name': 'network-vif-plugged', 'server_uuid': str(uuid.uuid4()), 'tag': 'p'}])


def test_members_may_not_report_events_and_bad_bodies_are_400(compute, active_server):
    account, server_id = active_server
    event = {'name': 'network-vif-plugged', 'server_uuid': server_id, 'tag': 'p'}
    member = compute.client(account.token)
    response = member.post('/os-server-external-events', json={'events': [event]})
    assert response.status_code == 403, response.text
    admin = compute.admin()
    response = admin.post('/os-server-external-events',
                          json={'events': [dict(event, name='reboot')]})
    assert response.status_code == 400, response.text
    assert admin.post('/os-server-external-events',
                      json={'events': [event]}).status_code == 200
